import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/authentication/no-authentication.js';
import type { SecurityConfiguration } from '../../../lib/snapshot.js';
import { makeCluster, only, runCluster } from '../../helpers/fixtures.js';
import { CONFIG_NAME, unreadableConfig, withConfig } from '../encryption/fixtures.js';

/** Encryption only: no authentication, no runtime roles. */
const encryptionOnly: SecurityConfiguration = {
  name: CONFIG_NAME,
  encryption: { enableAtRestEncryption: true, enableInTransitEncryption: true },
};

describe('authentication/no-authentication', () => {
  it('fails without Kerberos, Identity Center, LDAP or runtime roles: anyone acts as the instance profile', () => {
    const { cluster, region } = withConfig(encryptionOnly);
    const o = only(runCluster(check, cluster, region));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('"emr-secure"');
    expect(o.message).toContain('acts as its instance profile EMR_EC2_DefaultRole');
  });

  it('fails on a cluster whose DescribeCluster KerberosAttributes is {} (empty is not Kerberos)', () => {
    const { cluster, region } = withConfig(encryptionOnly);
    const o = only(runCluster(check, { ...cluster, kerberos: {} }, region));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('sets up no authentication');
  });

  it('fails when the blocks are present but switched off', () => {
    const { cluster, region } = withConfig({
      ...encryptionOnly,
      authentication: { identityCenter: false, ldap: false },
      authorization: { runtimeRoles: false, lakeFormation: true },
    });
    expect(only(runCluster(check, cluster, region)).status).toBe('FAIL');
  });

  it('fails without naming a profile when the cluster reports none', () => {
    const { region } = withConfig(encryptionOnly);
    const { ec2: _omit, ...noEc2 } = makeCluster({ securityConfiguration: CONFIG_NAME });
    const o = only(runCluster(check, noEc2, region));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('acts as its instance profile.');
  });

  it('passes with Kerberos in the security configuration, naming the realm', () => {
    const { cluster, region } = withConfig({ ...encryptionOnly, authentication: { kerberos: { provider: 'ClusterDedicatedKdc', realm: 'CORP.EXAMPLE.COM' } } });
    const o = only(runCluster(check, cluster, region));
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('Kerberos (realm CORP.EXAMPLE.COM)');
  });

  it('passes with Kerberos attributes on the cluster', () => {
    const { region } = withConfig(encryptionOnly);
    const cluster = makeCluster({ securityConfiguration: CONFIG_NAME, kerberos: { realm: 'EC2.INTERNAL' } });
    const o = only(runCluster(check, cluster, region));
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('EC2.INTERNAL');
  });

  it.each([
    ['IAM Identity Center', { authentication: { identityCenter: true } }],
    ['LDAP', { authentication: { ldap: true } }],
    ['runtime roles', { authorization: { runtimeRoles: true } }],
  ] as const)('passes with %s', (label, extra) => {
    const { cluster, region } = withConfig({ ...encryptionOnly, ...extra });
    const o = only(runCluster(check, cluster, region));
    expect(o.status).toBe('PASS');
    expect(o.message).toContain(label);
  });

  it('is NOT_APPLICABLE without a security configuration', () => {
    const o = only(runCluster(check, makeCluster()));
    expect(o.status).toBe('NOT_APPLICABLE');
    expect(o.message).toContain('encryption/no-security-configuration');
  });

  it('is ERROR when the configuration could not be fetched and the cluster shows no Kerberos', () => {
    const { cluster, region } = unreadableConfig();
    const o = only(runCluster(check, cluster, region));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('AccessDenied');
  });

  it('passes on the cluster Kerberos attributes (a Realm) even when the configuration could not be fetched', () => {
    const { cluster, region } = unreadableConfig();
    const o = only(runCluster(check, { ...cluster, kerberos: { realm: 'EC2.INTERNAL' } }, region));
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('Kerberos (realm EC2.INTERNAL)');
  });

  it('does not read empty KerberosAttributes ({}) as Kerberos: ERROR with an unreadable configuration', () => {
    const { cluster, region } = unreadableConfig();
    expect(only(runCluster(check, { ...cluster, kerberos: {} }, region)).status).toBe('ERROR');
  });
});
