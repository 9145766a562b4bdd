/**
 * DescribeSecurityConfiguration returns the configuration as a JSON string written by users: parse
 * it leniently (unknown keys ignored, a field of the wrong type read as absent, so one odd field
 * cannot hide the rest) and copy only the fields checks use into the snapshot's subset.
 */
import * as z from 'zod';
import type { SecurityConfiguration } from '../snapshot.js';

/** Booleans are sometimes written as strings; anything else is "not set" (never "true"). */
function toFlag(v: unknown): boolean | undefined {
  const s = typeof v === 'string' ? v.trim().toLowerCase() : v;
  if (s === true || s === 'true') return true;
  if (s === false || s === 'false') return false;
  return undefined;
}
function toInteger(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) return Number(v);
  return undefined;
}
const flag = z.unknown().optional().transform(toFlag);
const integer = z.unknown().optional().transform(toInteger);
const text = z.string().optional().catch(undefined);
/** A nested block: present (possibly empty) or absent; a non-object is treated as absent. */
const block = <T extends z.ZodRawShape>(shape: T) => z.object(shape).optional().catch(undefined);

const Kerberos = block({
  Provider: text,
  ClusterDedicatedKdcConfiguration: block({
    CrossRealmTrustConfiguration: block({ Realm: text }),
  }),
  ExternalKdcConfiguration: block({
    AdIntegrationConfiguration: block({ AdRealm: text }),
  }),
});

const SecurityConfigurationJson = z.object({
  EncryptionConfiguration: block({
    EnableAtRestEncryption: flag,
    EnableInTransitEncryption: flag,
    AtRestEncryptionConfiguration: block({
      S3EncryptionConfiguration: block({ EncryptionMode: text, AwsKmsKey: text }),
      LocalDiskEncryptionConfiguration: block({ EncryptionKeyProviderType: text, EnableEbsEncryption: flag }),
    }),
    InTransitEncryptionConfiguration: block({
      TLSCertificateConfiguration: block({ CertificateProviderType: text }),
    }),
  }),
  AuthenticationConfiguration: block({
    KerberosConfiguration: Kerberos,
    IdentityCenterConfiguration: block({ EnableIdentityCenter: flag }),
    LDAPConfiguration: block({ EnableLDAPAuthentication: flag }),
  }),
  AuthorizationConfiguration: block({
    IAMConfiguration: block({ EnableApplicationScopedIAMRole: flag }),
    LakeFormationConfiguration: block({}),
  }),
  InstanceMetadataServiceConfiguration: block({ MinimumInstanceMetadataServiceVersion: integer }),
});

export type ParsedSecurityConfiguration = { ok: true; config: SecurityConfiguration } | { ok: false; reason: string };

export function parseSecurityConfiguration(name: string, json: string | undefined): ParsedSecurityConfiguration {
  if (json === undefined || json.trim() === '') return { ok: false, reason: 'DescribeSecurityConfiguration returned no configuration document.' };
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    return { ok: false, reason: `The configuration is not valid JSON: ${(e as Error).message}` };
  }
  const parsed = SecurityConfigurationJson.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: 'The configuration is not a JSON object.' };
  const j = parsed.data;
  const config: SecurityConfiguration = { name };

  const enc = j.EncryptionConfiguration;
  if (enc) {
    const atRest = enc.AtRestEncryptionConfiguration;
    const s3 = atRest?.S3EncryptionConfiguration;
    const disk = atRest?.LocalDiskEncryptionConfiguration;
    config.encryption = compact({
      enableAtRestEncryption: enc.EnableAtRestEncryption,
      enableInTransitEncryption: enc.EnableInTransitEncryption,
      s3: s3 ? compact({ encryptionMode: s3.EncryptionMode, awsKmsKey: s3.AwsKmsKey }) : undefined,
      localDisk: disk ? compact({ encryptionKeyProviderType: disk.EncryptionKeyProviderType, enableEbsEncryption: disk.EnableEbsEncryption }) : undefined,
      inTransitTlsCertificateProvider: enc.InTransitEncryptionConfiguration?.TLSCertificateConfiguration?.CertificateProviderType,
    });
  }

  const auth = j.AuthenticationConfiguration;
  if (auth) {
    const krb = auth.KerberosConfiguration;
    const realm =
      krb?.ClusterDedicatedKdcConfiguration?.CrossRealmTrustConfiguration?.Realm ?? krb?.ExternalKdcConfiguration?.AdIntegrationConfiguration?.AdRealm;
    config.authentication = compact({
      kerberos: krb ? compact({ provider: krb.Provider, realm }) : undefined,
      identityCenter: auth.IdentityCenterConfiguration ? auth.IdentityCenterConfiguration.EnableIdentityCenter === true : undefined,
      ldap: auth.LDAPConfiguration ? auth.LDAPConfiguration.EnableLDAPAuthentication === true : undefined,
    });
  }

  const authz = j.AuthorizationConfiguration;
  if (authz) {
    config.authorization = compact({
      runtimeRoles: authz.IAMConfiguration ? authz.IAMConfiguration.EnableApplicationScopedIAMRole === true : undefined,
      lakeFormation: authz.LakeFormationConfiguration ? true : undefined,
    });
  }

  const imds = j.InstanceMetadataServiceConfiguration?.MinimumInstanceMetadataServiceVersion;
  if (imds !== undefined) config.minimumImdsVersion = imds;
  return { ok: true, config };
}

/** Drops undefined members so the snapshot JSON holds only what the configuration says. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
