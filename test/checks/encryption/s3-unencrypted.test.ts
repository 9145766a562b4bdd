import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/encryption/s3-unencrypted.js';
import { makeCluster, only, runCluster } from '../../helpers/fixtures.js';
import { fullConfig, unreadableConfig, withConfig } from './fixtures.js';

const atRestOn = { enableAtRestEncryption: true, localDisk: { enableEbsEncryption: true } } as const;

function withS3(s3: { encryptionMode?: string; awsKmsKey?: string } | undefined) {
  return withConfig(fullConfig({ encryption: s3 ? { ...atRestOn, s3 } : { ...atRestOn } }));
}

describe('encryption/s3-unencrypted', () => {
  it('fails when S3EncryptionConfiguration is missing', () => {
    const { cluster, region } = withS3(undefined);
    const o = only(runCluster(check, cluster, region));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('S3EncryptionConfiguration');
    expect(o.message).toContain('"emr-secure"');
    expect(o.message).toMatch(/SSE-KMS or CSE-KMS/);
  });

  it('fails when the S3 block names no EncryptionMode', () => {
    const { cluster, region } = withS3({});
    const o = only(runCluster(check, cluster, region));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('EncryptionMode');
  });

  it('passes SSE-S3 when requireKmsForS3 is off (the default)', () => {
    const { cluster, region } = withS3({ encryptionMode: 'SSE-S3' });
    const o = only(runCluster(check, cluster, region));
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('SSE-S3');
  });

  it('fails SSE-S3 when requireKmsForS3 is on, naming the setting', () => {
    const { cluster, region } = withS3({ encryptionMode: 'SSE-S3' });
    const o = only(runCluster(check, cluster, region, { requireKmsForS3: true }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('requireKmsForS3');
    expect(o.message).toContain('SSE-S3');
  });

  it('matches the SSE-S3 mode case-insensitively', () => {
    const { cluster, region } = withS3({ encryptionMode: 'sse-s3' });
    expect(only(runCluster(check, cluster, region, { requireKmsForS3: true })).status).toBe('FAIL');
  });

  it.each(['SSE-KMS', 'CSE-KMS', 'CSE-Custom'])('passes %s even with requireKmsForS3', (mode) => {
    const { cluster, region } = withS3({ encryptionMode: mode, awsKmsKey: 'alias/emr' });
    const o = only(runCluster(check, cluster, region, { requireKmsForS3: true }));
    expect(o.status).toBe('PASS');
    expect(o.message).toContain(mode);
    expect(o.message).toContain('alias/emr');
  });

  it('is NOT_APPLICABLE when at-rest encryption is off', () => {
    const { cluster, region } = withConfig(fullConfig({ encryption: { enableAtRestEncryption: false } }));
    const o = only(runCluster(check, cluster, region, { requireKmsForS3: true }));
    expect(o.status).toBe('NOT_APPLICABLE');
    expect(o.message).toContain('encryption/at-rest-disabled');
  });

  it('is NOT_APPLICABLE without a security configuration', () => {
    expect(only(runCluster(check, makeCluster())).status).toBe('NOT_APPLICABLE');
  });

  it('is ERROR when the configuration could not be fetched', () => {
    const { cluster, region } = unreadableConfig();
    const o = only(runCluster(check, cluster, region));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('AccessDenied');
  });
});
