import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/encryption/no-security-configuration.js';
import { makeCluster, only, runCluster } from '../../helpers/fixtures.js';
import { fullConfig, unreadableConfig, withConfig } from './fixtures.js';

describe('encryption/no-security-configuration', () => {
  it('fails without a security configuration, saying encryption and authentication are all absent', () => {
    const o = only(runCluster(check, makeCluster({ name: 'etl' })));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('etl');
    expect(o.message).toContain('j-TEST00000001');
    expect(o.message).toMatch(/encryption at rest/);
    expect(o.message).toMatch(/encryption in transit/);
    expect(o.message).toMatch(/authentication/);
  });

  it('fails on an empty configuration name', () => {
    expect(only(runCluster(check, makeCluster({ securityConfiguration: '' }))).status).toBe('FAIL');
  });

  it('passes with a security configuration and names it', () => {
    const { cluster, region } = withConfig(fullConfig());
    const o = only(runCluster(check, cluster, region));
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('"emr-secure"');
  });

  it('passes when the named configuration exists but could not be fetched (the other checks answer ERROR)', () => {
    const { cluster, region } = unreadableConfig();
    expect(only(runCluster(check, cluster, region)).status).toBe('PASS');
  });
});
