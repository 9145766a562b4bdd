import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/encryption/in-transit-disabled.js';
import { makeCluster, only, runCluster } from '../../helpers/fixtures.js';
import { fullConfig, unreadableConfig, withConfig } from './fixtures.js';

describe('encryption/in-transit-disabled', () => {
  it('fails when EnableInTransitEncryption is false, naming the configuration and the setting', () => {
    const base = fullConfig();
    const { cluster, region } = withConfig(fullConfig({ encryption: { ...base.encryption, enableInTransitEncryption: false } }));
    const o = only(runCluster(check, cluster, region));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('"emr-secure"');
    expect(o.message).toContain('EnableInTransitEncryption');
  });

  it('fails when EnableInTransitEncryption is absent', () => {
    const { cluster, region } = withConfig(fullConfig({ encryption: { enableAtRestEncryption: true } }));
    expect(only(runCluster(check, cluster, region)).status).toBe('FAIL');
  });

  it('fails when the encryption block is absent', () => {
    const { encryption: _omit, ...noEncryption } = fullConfig();
    const { cluster, region } = withConfig(noEncryption);
    expect(only(runCluster(check, cluster, region)).status).toBe('FAIL');
  });

  it('passes when in-transit encryption is on, naming the certificate provider', () => {
    const { cluster, region } = withConfig(fullConfig());
    const o = only(runCluster(check, cluster, region));
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('PEM');
  });

  it('passes without a named certificate provider', () => {
    const { cluster, region } = withConfig(fullConfig({ encryption: { enableInTransitEncryption: true } }));
    const o = only(runCluster(check, cluster, region));
    expect(o.status).toBe('PASS');
    expect(o.message).not.toContain('certificate provider');
  });

  it('is NOT_APPLICABLE without a security configuration', () => {
    expect(only(runCluster(check, makeCluster())).status).toBe('NOT_APPLICABLE');
  });

  it('is ERROR when the configuration could not be fetched', () => {
    const { cluster, region } = unreadableConfig();
    expect(only(runCluster(check, cluster, region)).status).toBe('ERROR');
  });
});
