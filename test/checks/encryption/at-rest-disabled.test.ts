import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/encryption/at-rest-disabled.js';
import { makeCluster, only, runCluster } from '../../helpers/fixtures.js';
import { fullConfig, unreadableConfig, withConfig } from './fixtures.js';

describe('encryption/at-rest-disabled', () => {
  it('fails when EnableAtRestEncryption is false, naming the configuration', () => {
    const base = fullConfig();
    const { cluster, region } = withConfig(fullConfig({ encryption: { ...base.encryption, enableAtRestEncryption: false } }));
    const o = only(runCluster(check, cluster, region));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('"emr-secure"');
    expect(o.message).toContain('EnableAtRestEncryption');
  });

  it('fails when EnableAtRestEncryption is absent (absent is not true)', () => {
    const { cluster, region } = withConfig(fullConfig({ encryption: { enableInTransitEncryption: true } }));
    expect(only(runCluster(check, cluster, region)).status).toBe('FAIL');
  });

  it('fails when the configuration has no encryption block at all', () => {
    const { encryption: _omit, ...noEncryption } = fullConfig();
    const { cluster, region } = withConfig(noEncryption);
    expect(only(runCluster(check, cluster, region)).status).toBe('FAIL');
  });

  it('passes when at-rest encryption is on', () => {
    const { cluster, region } = withConfig(fullConfig());
    const o = only(runCluster(check, cluster, region));
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('at-rest encryption');
  });

  it('is NOT_APPLICABLE without a security configuration (reported once by no-security-configuration)', () => {
    const o = only(runCluster(check, makeCluster()));
    expect(o.status).toBe('NOT_APPLICABLE');
    expect(o.message).toContain('encryption/no-security-configuration');
  });

  it('is ERROR with the reason when the configuration could not be fetched', () => {
    const { cluster, region } = unreadableConfig();
    const o = only(runCluster(check, cluster, region));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('elasticmapreduce:DescribeSecurityConfiguration AccessDenied');
    expect(o.message).toContain('"emr-secure"');
  });

  it('is ERROR, not PASS, when the named configuration is simply missing from the snapshot', () => {
    const o = only(runCluster(check, makeCluster({ securityConfiguration: 'ghost' })));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('not collected');
  });
});
