import { describe, expect, it } from 'vitest';
import { parseSecurityConfiguration } from '../../lib/collect/security-configuration.js';

const parse = (json: unknown) => parseSecurityConfiguration('sec', typeof json === 'string' ? json : JSON.stringify(json));

describe('parseSecurityConfiguration', () => {
  it('copies the encryption settings checks use', () => {
    const r = parse({
      EncryptionConfiguration: {
        EnableAtRestEncryption: true,
        EnableInTransitEncryption: true,
        AtRestEncryptionConfiguration: {
          S3EncryptionConfiguration: { EncryptionMode: 'SSE-KMS', AwsKmsKey: 'arn:aws:kms:us-east-1:123456789012:key/k' },
          LocalDiskEncryptionConfiguration: { EncryptionKeyProviderType: 'AwsKms', AwsKmsKey: 'arn:aws:kms:us-east-1:123456789012:key/d', EnableEbsEncryption: true },
        },
        InTransitEncryptionConfiguration: { TLSCertificateConfiguration: { CertificateProviderType: 'PEM', S3Object: 's3://certs/c.zip' } },
      },
      InstanceMetadataServiceConfiguration: { MinimumInstanceMetadataServiceVersion: 2, HttpPutResponseHopLimit: 2 },
    });
    expect(r).toEqual({
      ok: true,
      config: {
        name: 'sec',
        encryption: {
          enableAtRestEncryption: true,
          enableInTransitEncryption: true,
          s3: { encryptionMode: 'SSE-KMS', awsKmsKey: 'arn:aws:kms:us-east-1:123456789012:key/k' },
          localDisk: { encryptionKeyProviderType: 'AwsKms', enableEbsEncryption: true },
          inTransitTlsCertificateProvider: 'PEM',
        },
        minimumImdsVersion: 2,
      },
    });
  });

  it('reads Kerberos, Identity Center, LDAP, runtime roles and Lake Formation', () => {
    const r = parse({
      AuthenticationConfiguration: {
        KerberosConfiguration: {
          Provider: 'ClusterDedicatedKdc',
          ClusterDedicatedKdcConfiguration: { TicketLifetimeInHours: 24, CrossRealmTrustConfiguration: { Realm: 'AD.EXAMPLE.COM', Domain: 'ad.example.com' } },
        },
        IdentityCenterConfiguration: { EnableIdentityCenter: true, IdentityCenterInstanceARN: 'arn:aws:sso:::instance/ssoins-1' },
        LDAPConfiguration: { EnableLDAPAuthentication: 'true', LDAPServerURL: 'ldaps://ldap', BindCredentialsARN: 'arn:aws:secretsmanager:x' },
      },
      AuthorizationConfiguration: {
        IAMConfiguration: { EnableApplicationScopedIAMRole: true },
        LakeFormationConfiguration: { AuthorizedSessionTagValue: 'Amazon EMR' },
      },
    });
    expect(r).toEqual({
      ok: true,
      config: {
        name: 'sec',
        authentication: { kerberos: { provider: 'ClusterDedicatedKdc', realm: 'AD.EXAMPLE.COM' }, identityCenter: true, ldap: true },
        authorization: { runtimeRoles: true, lakeFormation: true },
      },
    });
    // The secret ARN of the LDAP bind credentials is not copied.
    expect(JSON.stringify(r)).not.toContain('secretsmanager');
  });

  it('takes the realm of an external KDC with AD integration', () => {
    const r = parse({ AuthenticationConfiguration: { KerberosConfiguration: { Provider: 'ExternalKdc', ExternalKdcConfiguration: { KdcServerType: 'Single', AdIntegrationConfiguration: { AdRealm: 'CORP.EXAMPLE' } } } } });
    expect(r.ok && r.config.authentication).toEqual({ kerberos: { provider: 'ExternalKdc', realm: 'CORP.EXAMPLE' } });
  });

  it('disabled integrations read as false, absent blocks stay absent', () => {
    const r = parse({
      EncryptionConfiguration: { EnableAtRestEncryption: false, EnableInTransitEncryption: false },
      AuthenticationConfiguration: { IdentityCenterConfiguration: { EnableIdentityCenter: false } },
      AuthorizationConfiguration: { IAMConfiguration: { EnableApplicationScopedIAMRole: false } },
    });
    expect(r).toEqual({
      ok: true,
      config: {
        name: 'sec',
        encryption: { enableAtRestEncryption: false, enableInTransitEncryption: false },
        authentication: { identityCenter: false },
        authorization: { runtimeRoles: false },
      },
    });
  });

  it('a field of the wrong type is read as absent without hiding the others', () => {
    const r = parse({
      EncryptionConfiguration: { EnableAtRestEncryption: 'yes', EnableInTransitEncryption: true, AtRestEncryptionConfiguration: 'oops' },
      InstanceMetadataServiceConfiguration: { MinimumInstanceMetadataServiceVersion: '2' },
      Unknown: { Anything: 1 },
    });
    expect(r).toEqual({ ok: true, config: { name: 'sec', encryption: { enableInTransitEncryption: true }, minimumImdsVersion: 2 } });
  });

  it('an empty object is a configuration with nothing enabled', () => {
    expect(parse({})).toEqual({ ok: true, config: { name: 'sec' } });
  });

  it.each([
    ['invalid JSON', '{"EncryptionConfiguration":', /not valid JSON/],
    ['a JSON array', '[1,2]', /not a JSON object/],
    ['an empty document', '', /no configuration document/],
  ])('rejects %s with a reason', (_label, json, reason) => {
    const r = parseSecurityConfiguration('sec', json);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(reason);
  });
});
