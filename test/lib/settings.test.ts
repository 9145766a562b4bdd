/** Settings that would make the audit silently worse are refused (issue 14, defect 5). */
import { describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../../checks/index.js';
import { isInternetScaleCidr } from '../../lib/settings-internet-scale.js';
import { loadSettings, SettingsError } from '../../lib/settings.js';

const NOW = new Date('2031-05-10T12:00:00Z');
const load = (env: Record<string, string>, overrides: Record<string, string> = {}) => loadSettings(env, overrides, { knownCheckIds: CHECK_IDS, now: NOW });
const error = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SettingsError);
    return (e as Error).message;
  }
  throw new Error('accepted');
};

describe('trusted CIDRs', () => {
  it.each(['0.0.0.0/0', '::/0', '0.0.0.0/1', '8.0.0.0/8', '1.0.0.0/7', '2000::/3', '2001::/16', '2600::/12', '::ffff:0.0.0.0/96'])('refuses internet-scale %s', (cidr) => {
    expect(isInternetScaleCidr(cidr)).toBe(true);
    expect(error(() => load({ EMR_AUDIT_TRUSTED_CIDRS: `203.0.113.0/24,${cidr}` }))).toMatch(/^EMR_AUDIT_TRUSTED_CIDRS: ".*" is internet-scale/);
  });

  it.each(['203.0.113.0/24', '10.0.0.0/8', '8.0.0.0/9', '172.16.0.0/12', '224.0.0.0/3', '2001:db8::/32', '2001::/17', 'fc00::/7', '4000::/2'])('accepts %s', (cidr) => {
    expect(isInternetScaleCidr(cidr)).toBe(false);
    expect(load({ EMR_AUDIT_TRUSTED_CIDRS: cidr }).trustedCidrs).toHaveLength(1);
  });

  it('a /8 that is half private is still counted by its public addresses', () => {
    // 100.0.0.0/8 holds 100.64.0.0/10 (shared address space): 3 × 2^22 public addresses < 2^24.
    expect(isInternetScaleCidr('100.0.0.0/8')).toBe(false);
    expect(isInternetScaleCidr('100.0.0.0/7')).toBe(true);
  });
});

describe('whole numbers', () => {
  it.each(['0x10', '1e3', ' 5', '5 ', '+5', '-5', '5.0', '', '1_000'])('refuses %j', (raw) => {
    expect(error(() => loadSettings({}, { ssmGraceMinutes: raw }))).toMatch(/expected a whole number/);
  });

  it('accepts decimal digits', () => {
    expect(load({ EMR_AUDIT_SSM_GRACE_MINUTES: '30' }).ssmGraceMinutes).toBe(30);
    expect(load({ EMR_AUDIT_RATE_MULTIPLIER: '0.5' }).rateMultiplier).toBe(0.5);
    expect(error(() => load({ EMR_AUDIT_RATE_MULTIPLIER: '1e0' }))).toMatch(/^EMR_AUDIT_RATE_MULTIPLIER: expected a number/);
  });

  it('has request and connection timeouts with defaults', () => {
    expect(load({})).toMatchObject({ connectTimeoutMs: 5000, requestTimeoutMs: 30000 });
    expect(load({ EMR_AUDIT_REQUEST_TIMEOUT_MS: '2500' }).requestTimeoutMs).toBe(2500);
    expect(error(() => load({ EMR_AUDIT_CONNECT_TIMEOUT_MS: '0' }))).toMatch(/^EMR_AUDIT_CONNECT_TIMEOUT_MS: expected a whole number from 100/);
  });
});

describe('--set names the --set key', () => {
  it('for an unknown disabled check', () => {
    expect(error(() => load({}, { disabledChecks: 'nope/nope' }))).toMatch(/^--set disabledChecks \(EMR_AUDIT_DISABLED_CHECKS\): unknown check id "nope\/nope"/);
    expect(error(() => load({ EMR_AUDIT_DISABLED_CHECKS: 'nope/nope' }))).toMatch(/^EMR_AUDIT_DISABLED_CHECKS: unknown check id/);
  });
});

describe('bounded lists', () => {
  it('regions: at most 32', () => {
    const regions = Array.from({ length: 33 }, (_, i) => `eu-west-${i + 1}`).join(',');
    expect(error(() => load({ EMR_AUDIT_REGIONS: regions }))).toBe('EMR_AUDIT_REGIONS: at most 32 items (got 33)');
  });

  it('disabled checks: at most the registry size', () => {
    const ids = [...CHECK_IDS, ...CHECK_IDS].join(',');
    expect(error(() => load({ EMR_AUDIT_DISABLED_CHECKS: ids }))).toMatch(new RegExp(`^EMR_AUDIT_DISABLED_CHECKS: at most ${CHECK_IDS.length} check ids`));
  });

  it('trusted CIDRs and ports: at most 1000', () => {
    const cidrs = Array.from({ length: 1001 }, (_, i) => `10.${Math.floor(i / 256)}.${i % 256}.0/24`).join(',');
    expect(error(() => load({ EMR_AUDIT_TRUSTED_CIDRS: cidrs }))).toBe('EMR_AUDIT_TRUSTED_CIDRS: at most 1000 items (got 1001)');
    const ports = Array.from({ length: 1001 }, (_, i) => String(i + 1)).join(',');
    expect(error(() => load({ EMR_AUDIT_ALLOWED_PUBLIC_PORTS: ports }))).toBe('EMR_AUDIT_ALLOWED_PUBLIC_PORTS: at most 1000 items (got 1001)');
  });
});

describe('EMR_AUDIT_SUPPRESSIONS', () => {
  const rule = (r: Record<string, unknown>) => JSON.stringify([{ check: 'network/*', clusterId: 'j-ABC', reason: 'bastion-only VPC', expires: '2031-12-31', ...r }]);

  it('parses a valid rule', () => {
    const [parsed] = load({ EMR_AUDIT_SUPPRESSIONS: rule({}) }).suppressions;
    expect(parsed).toMatchObject({ check: 'network/*', clusterId: 'j-ABC', reason: 'bastion-only VPC', expires: '2031-12-31', index: 1 });
    expect(parsed!.expiresAt).toBe(Date.parse('2032-01-01T00:00:00Z'));
  });

  it.each([
    ['no reason', { reason: undefined }, /rule 1\.reason: a reason is required/],
    ['no expiry', { expires: undefined }, /rule 1\.expires: an expiry date is required/],
    ['an expiry beyond a year', { expires: '2032-05-11' }, /rule 1\.expires: 2032-05-11 is more than one year ahead \(at most 2032-05-10\)/],
    ['an unknown check', { check: 'nope/x' }, /rule 1\.check: unknown check id or area "nope\/x"/],
    ['two selectors', { clusterName: 'etl-*' }, /exactly one cluster selector/],
    ['an unknown key', { owner: 'me' }, /unknown key\(s\) "owner"/],
  ])('refuses %s', (_name, change, pattern) => {
    expect(error(() => load({ EMR_AUDIT_SUPPRESSIONS: rule(change) }))).toMatch(pattern);
  });

  it('refuses what is not a JSON list', () => {
    expect(error(() => load({ EMR_AUDIT_SUPPRESSIONS: 'network/*' }))).toMatch(/^EMR_AUDIT_SUPPRESSIONS: expected a JSON list/);
  });

  it('EMR_AUDIT_SUPPRESSION_TAGS=false turns the tag off', () => {
    expect(load({}).suppressionTags).toBe(true);
    expect(load({ EMR_AUDIT_SUPPRESSION_TAGS: 'false' }).suppressionTags).toBe(false);
  });
});
