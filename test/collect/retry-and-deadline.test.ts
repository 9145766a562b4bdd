/**
 * Throttling and the time budget, through the real SDK clients (`sdkClients()`): the SDK's own
 * retry runs (with a fixed short delay), so these tests show what production does when AWS
 * throttles, and that the deadline also cuts a retry back-off short.
 */
import { ListClustersCommand } from '@aws-sdk/client-emr';
import { beforeEach, describe, expect, it } from 'vitest';
import { clearPolicyVersionCache } from '../../lib/collect/index.js';
import type { Snapshot } from '../../lib/snapshot.js';
import { FakeAccount, REGION, type FakeMocks } from '../helpers/fake-account.js';
import { collect, defaultCluster, regionOf } from './harness.js';

beforeEach(() => clearPolicyVersionCache());

function account(): FakeAccount {
  const fake = new FakeAccount().withDefaults();
  fake
    .addRole('EMR_EC2_DefaultRole', { attached: ['arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceforEC2Role'], inline: { data: { Statement: [] } } })
    .addSecurityConfiguration('sec', { EncryptionConfiguration: { EnableAtRestEncryption: true } });
  for (const id of ['j-1', 'j-2', 'j-3']) {
    fake.addCluster(defaultCluster(id, { securityConfiguration: 'sec', instances: FakeAccount.nodes(id, 2, 1, { ssm: { pingStatus: 'Online' } }) }));
  }
  return fake;
}

const withoutTime = (s: Snapshot): unknown => ({ ...s, collectedAt: undefined });

const THROTTLED = [
  'elasticmapreduce:ListClusters',
  'elasticmapreduce:DescribeCluster',
  'elasticmapreduce:ListInstances',
  'elasticmapreduce:ListInstanceGroups',
  'elasticmapreduce:DescribeSecurityConfiguration',
  'elasticmapreduce:GetBlockPublicAccessConfiguration',
  'elasticmapreduce:ListReleaseLabels',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeInstances',
  'iam:GetInstanceProfile',
  'iam:GetRole',
  'iam:ListAttachedRolePolicies',
  'iam:ListRolePolicies',
  'iam:GetRolePolicy',
  'iam:GetPolicy',
  'iam:GetPolicyVersion',
  'ssm:DescribeInstanceInformation',
  'ssm:GetServiceSetting',
];

describe('throttling', () => {
  it('the first 5 calls of every API throttled: retried to a complete, identical snapshot', async () => {
    const baseline = await collect(account(), { clients: account().sdkClients() });
    clearPolicyVersionCache();
    const fake = account();
    for (const api of THROTTLED) fake.throttle(api, 5);

    const snap = await collect(fake, { clients: fake.sdkClients({ maxAttempts: 10 }) });

    expect(regionOf(snap).errors).toEqual([]);
    expect(withoutTime(snap)).toEqual(withoutTime(baseline));
    // Five throttled attempts, then the one that succeeded (once per distinct role).
    expect(fake.count('iam:GetRole')).toBe(6);
    expect(fake.count('ec2:DescribeSecurityGroups')).toBe(6);
    expect(fake.count('elasticmapreduce:ListClusters')).toBe(6);
    expect(fake.count('elasticmapreduce:DescribeCluster')).toBe(3 + 5);
  });

  it('throttling that outlasts the retries is recorded with its code, and only where it happened', async () => {
    const fake = account();
    fake.throttle('iam:GetRole', 5);

    const snap = await collect(fake, { clients: fake.sdkClients({ maxAttempts: 3 }) });

    const r = regionOf(snap);
    expect(r.errors).toEqual([{ kind: 'role', resourceId: 'EMR_EC2_DefaultRole', api: 'iam:GetRole', code: 'Throttling', message: 'Rate exceeded' }]);
    expect(fake.count('iam:GetRole')).toBe(3);
    expect(r.clusters.every((c) => c.described && c.instances?.length === 4)).toBe(true);
    expect(Object.keys(r.securityGroups)).toHaveLength(2);
  });

  it('an access error is not retried', async () => {
    const fake = account();
    fake.fail('iam:GetInstanceProfile', { code: 'AccessDenied', message: 'denied' });

    const snap = await collect(fake, { clients: fake.sdkClients({ maxAttempts: 10 }) });

    expect(fake.count('iam:GetInstanceProfile')).toBe(1);
    expect(regionOf(snap).errors).toEqual([{ kind: 'instanceProfile', resourceId: 'EMR_EC2_DefaultRole', api: 'iam:GetInstanceProfile', code: 'AccessDenied', message: 'denied' }]);
  });
});

describe('time budget', () => {
  it('a deadline already passed: nothing is called, every region says TimeBudgetExceeded, nothing thrown', async () => {
    const fake = account();
    const mocks = fake.mock();
    try {
      const snap = await collect(fake, { accountId: fake.accountId, deadline: Date.now() - 1 });

      const r = regionOf(snap);
      expect(fake.calls).toEqual([]);
      expect(r.clusters).toEqual([]);
      expect(r.errors.map((e) => [e.kind, e.code])).toEqual(
        expect.arrayContaining([
          ['region', 'TimeBudgetExceeded'],
          ['blockPublicAccess', 'TimeBudgetExceeded'],
          ['defaultHostManagement', 'TimeBudgetExceeded'],
          ['releaseLabels', 'TimeBudgetExceeded'],
        ]),
      );
    } finally {
      mocks.restore();
    }
  });

  it('a deadline passing after the listing: clusters are kept undescribed with TimeBudgetExceeded', async () => {
    const fake = account();
    const mocks: FakeMocks = fake.mock();
    const deadline = Date.now() + 100;
    mocks.emr.on(ListClustersCommand).callsFake(async (input: object) => {
      while (Date.now() <= deadline) await new Promise((r) => setTimeout(r, 10));
      return fake.handle('elasticmapreduce:ListClusters', input, REGION);
    });
    try {
      const snap = await collect(fake, { accountId: fake.accountId, deadline });

      const r = regionOf(snap);
      expect(r.clusters.map((c) => [c.id, c.described])).toEqual([
        ['j-1', false],
        ['j-2', false],
        ['j-3', false],
      ]);
      expect(r.errors.filter((e) => e.kind === 'cluster')).toEqual(
        ['j-1', 'j-2', 'j-3'].map((id) => ({
          kind: 'cluster',
          resourceId: id,
          api: 'elasticmapreduce:DescribeCluster',
          code: 'TimeBudgetExceeded',
          message: 'The run reached its time budget before this call could be made.',
        })),
      );
      expect(fake.count('elasticmapreduce:DescribeCluster')).toBe(0);
    } finally {
      mocks.restore();
    }
  });

  it('the deadline aborts a call waiting on retries', async () => {
    const fake = account();
    fake.throttle('iam:GetRole', 1000);
    const started = Date.now();

    const snap = await collect(fake, { clients: fake.sdkClients({ maxAttempts: 30, retryDelayMs: 60_000 }), deadline: Date.now() + 300 });

    expect(Date.now() - started).toBeLessThan(10_000);
    const r = regionOf(snap);
    expect(r.errors).toEqual([
      {
        kind: 'role',
        resourceId: 'EMR_EC2_DefaultRole',
        api: 'iam:GetRole',
        code: 'TimeBudgetExceeded',
        message: 'The run reached its time budget while this call was in progress (waiting for an answer or a retry); it was abandoned.',
      },
      // The attached list was read while GetRole waited: its policies were still to fetch when the time ran out.
      {
        kind: 'managedPolicy',
        resourceId: 'arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceforEC2Role',
        api: 'iam:GetPolicy',
        code: 'TimeBudgetExceeded',
        message: 'The run reached its time budget before this call could be made.',
      },
    ]);
    expect(r.roles.EMR_EC2_DefaultRole?.attachedPolicyArns).toEqual(['arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceforEC2Role']);
    // GetRole never answered; the ARN is the instance profile's.
    expect(r.roles.EMR_EC2_DefaultRole?.arn).toBe('arn:aws:iam::123456789012:role/EMR_EC2_DefaultRole');
    expect(fake.count('iam:GetRole')).toBe(1);
  });
});
