import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/encryption/local-disk-unencrypted.js';
import { makeCluster, only, runCluster } from '../../helpers/fixtures.js';
import { fullConfig, unreadableConfig, withConfig } from './fixtures.js';

const atRestOn = { enableAtRestEncryption: true, enableInTransitEncryption: true } as const;

describe('encryption/local-disk-unencrypted', () => {
  it('fails when LocalDiskEncryptionConfiguration is missing', () => {
    const { cluster, region } = withConfig(fullConfig({ encryption: { ...atRestOn, s3: { encryptionMode: 'SSE-KMS' } } }));
    const o = only(runCluster(check, cluster, region));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('LocalDiskEncryptionConfiguration');
    expect(o.message).toContain('"emr-secure"');
  });

  it('fails when EnableEbsEncryption is false: EBS volumes, root included, stay unencrypted', () => {
    const { cluster, region } = withConfig(fullConfig({ encryption: { ...atRestOn, localDisk: { encryptionKeyProviderType: 'AwsKms', enableEbsEncryption: false } } }));
    const o = only(runCluster(check, cluster, region));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('EnableEbsEncryption');
    expect(o.message).toMatch(/root/);
    expect(o.message).toContain('AwsKms');
  });

  it('fails when EnableEbsEncryption is absent', () => {
    const { cluster, region } = withConfig(fullConfig({ encryption: { ...atRestOn, localDisk: {} } }));
    const o = only(runCluster(check, cluster, region));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('EnableEbsEncryption');
  });

  it('passes with local disk and EBS encryption', () => {
    const { cluster, region } = withConfig(fullConfig());
    const o = only(runCluster(check, cluster, region));
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('EBS');
  });

  it('is NOT_APPLICABLE when at-rest encryption is off (at-rest-disabled reports it)', () => {
    const { cluster, region } = withConfig(fullConfig({ encryption: { enableAtRestEncryption: false } }));
    const o = only(runCluster(check, cluster, region));
    expect(o.status).toBe('NOT_APPLICABLE');
    expect(o.message).toContain('encryption/at-rest-disabled');
  });

  it('is NOT_APPLICABLE when the encryption block is absent', () => {
    const { encryption: _omit, ...noEncryption } = fullConfig();
    const { cluster, region } = withConfig(noEncryption);
    expect(only(runCluster(check, cluster, region)).status).toBe('NOT_APPLICABLE');
  });

  it('is NOT_APPLICABLE without a security configuration', () => {
    expect(only(runCluster(check, makeCluster())).status).toBe('NOT_APPLICABLE');
  });

  it('is ERROR when the configuration could not be fetched', () => {
    const { cluster, region } = unreadableConfig();
    expect(only(runCluster(check, cluster, region)).status).toBe('ERROR');
  });
});
