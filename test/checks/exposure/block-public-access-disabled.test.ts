import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/exposure/block-public-access-disabled.js';
import type { BlockPublicAccess } from '../../../lib/snapshot.js';
import { ACCOUNT, accessDenied, only, REGION, runRegion } from '../../helpers/fixtures.js';

const account = { type: 'AwsAccount', id: ACCOUNT };
const run = (blockPublicAccess: BlockPublicAccess) => only(runRegion(check, { blockPublicAccess }));

describe('exposure/block-public-access-disabled', () => {
  it('passes the AWS default (empty response)', () => {
    const o = run({ blockPublicSecurityGroupRules: true, permittedPortRanges: [{ minRange: 22, maxRange: 22 }], isDefault: true });
    expect(o.status).toBe('PASS');
    expect(o.message).toBe(`EMR block public access in ${REGION} has the AWS default configuration (on, only port 22 permitted).`);
    expect(o.resources).toEqual([account]);
  });

  it('fails when block public access is off, whatever the ranges', () => {
    const o = run({ blockPublicSecurityGroupRules: false, permittedPortRanges: [{ minRange: 22 }] });
    expect(o.status).toBe('FAIL');
    expect(o.message).toBe(
      `EMR block public access is off in ${REGION} (BlockPublicSecurityGroupRules is false): clusters whose security groups allow inbound traffic from 0.0.0.0/0 or ::/0 on any port can launch.`,
    );
    expect(o.resources).toEqual([account]);
  });

  it.each([
    ['22 alone (maxRange absent)', [{ minRange: 22 }], 'PASS'],
    ['22-22', [{ minRange: 22, maxRange: 22 }], 'PASS'],
    ['no exception at all', [], 'PASS'],
    ['23 alone', [{ minRange: 23 }], 'FAIL'],
    ['a range around 22', [{ minRange: 20, maxRange: 25 }], 'FAIL'],
    ['22 plus 8080-8090', [{ minRange: 22 }, { minRange: 8080, maxRange: 8090 }], 'FAIL'],
  ] as const)('permitted ranges: %s → %s', (_name, ranges, expected) => {
    expect(run({ blockPublicSecurityGroupRules: true, permittedPortRanges: [...ranges] }).status).toBe(expected);
  });

  it.each([
    ['a range without MinRange', [{ minRange: 22 }, { maxRange: 8080 }], 'MinRange absent, MaxRange 8080'],
    ['an empty range object', [{}], 'MinRange absent, MaxRange absent'],
    ['MaxRange below MinRange', [{ minRange: 9000, maxRange: 80 }], 'MinRange 9000, MaxRange 80'],
  ] as const)('answers ERROR on %s (it cannot be read), never PASS', (_name, ranges, shown) => {
    const o = run({ blockPublicSecurityGroupRules: true, permittedPortRanges: [...ranges] });
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('the permitted port ranges of EMR block public access unavailable');
    expect(o.message).toContain(`(${shown})`);
    expect(o.resources).toEqual([account]);
  });

  it('still fails on a readable range beyond 22 beside an unreadable one, naming both', () => {
    const o = run({ blockPublicSecurityGroupRules: true, permittedPortRanges: [{ minRange: 443 }, { maxRange: 8080 }] });
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('other than 22: 443. It also permits ranges that cannot be read: (MinRange absent, MaxRange 8080).');
  });

  it('names the permitted ports other than 22', () => {
    const o = run({ blockPublicSecurityGroupRules: true, permittedPortRanges: [{ minRange: 22 }, { minRange: 8080, maxRange: 8090 }, { minRange: 443 }] });
    expect(o.message).toBe(`EMR block public access in ${REGION} permits public security group rules on ports other than 22: 8080-8090, 443.`);
  });

  it('says why an explicit configuration passes', () => {
    expect(run({ blockPublicSecurityGroupRules: true, permittedPortRanges: [{ minRange: 22 }] }).message).toBe(`EMR block public access is on in ${REGION} and permits only port 22.`);
    expect(run({ blockPublicSecurityGroupRules: true, permittedPortRanges: [] }).message).toBe(`EMR block public access is on in ${REGION} and permits no public port.`);
  });

  it('answers ERROR with the blockPublicAccess collection error', () => {
    const o = only(runRegion(check, { errors: [accessDenied('blockPublicAccess', REGION, 'elasticmapreduce:GetBlockPublicAccessConfiguration')] }));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('elasticmapreduce:GetBlockPublicAccessConfiguration AccessDenied');
    expect(o.resources).toEqual([account]);
  });

  it('answers ERROR (never PASS) when the configuration is simply absent', () => {
    const o = only(runRegion(check, {}));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('the data was not collected');
  });
});
