import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClusterCheck, Outcome } from '../../checks/contract.js';
import { check as admin } from '../../checks/iam/instance-profile-admin.js';
import { check as deprecatedPolicy } from '../../checks/iam/instance-profile-deprecated-policy.js';
import { check as privilegeEscalation } from '../../checks/iam/instance-profile-privilege-escalation.js';
import { check as wildcardDataAccess } from '../../checks/iam/instance-profile-wildcard-data-access.js';
import { clearPolicyVersionCache, parsePolicyDocument } from '../../lib/collect/iam.js';
import { makeRegionView } from '../../lib/evaluate.js';
import { defaultSettings } from '../../lib/settings.js';
import { ACCOUNT as ACCOUNT_ID, FakeAccount, type FakeMocks } from '../helpers/fake-account.js';
import { collect, defaultCluster, regionOf } from './harness.js';

describe('parsePolicyDocument', () => {
  const doc = {
    Version: '2012-10-17',
    Statement: [{ Sid: 'Data', Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::my bucket/é/*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }],
  };

  it('decodes the URL-encoded documents IAM returns', () => {
    expect(parsePolicyDocument(encodeURIComponent(JSON.stringify(doc)))).toEqual({ ok: true, document: doc });
  });

  it('accepts a document that was not encoded', () => {
    expect(parsePolicyDocument(JSON.stringify(doc))).toEqual({ ok: true, document: doc });
  });

  it('accepts a single Statement object', () => {
    const single = { Statement: { Effect: 'Allow', Action: '*', Resource: '*' } };
    expect(parsePolicyDocument(encodeURIComponent(JSON.stringify(single)))).toEqual({ ok: true, document: single });
  });

  it.each([
    ['no document', undefined, /no policy document/],
    ['broken URL encoding', '%E0%A4%A', /not valid URL-encoded/],
    ['invalid JSON', encodeURIComponent('{"Statement": ['), /not valid JSON/],
    ['no Statement', encodeURIComponent('{"Version":"2012-10-17"}'), /no Statement/],
  ])('rejects %s with a reason', (_label, raw, reason) => {
    const r = parsePolicyDocument(raw);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(reason);
  });
});

// ---------------------------------------------------------------- what was read is kept (issue 11, item 10)

describe('iam:GetRolePolicy denied', () => {
  let fake: FakeAccount;
  let mocks: FakeMocks;
  beforeEach(() => {
    clearPolicyVersionCache();
    fake = new FakeAccount().withDefaults();
    mocks = fake.mock();
  });
  afterEach(() => mocks.restore());

  const DEPRECATED = 'arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceforEC2Role';
  const SCOPED = `arn:aws:iam::${ACCOUNT_ID}:policy/Scoped`;

  async function collectDenied(attached: string[]) {
    fake
      .addPolicy(SCOPED, { document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::etl/*' }] } })
      .addRole('EMR_EC2_DefaultRole', { attached, inline: { ops: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:*', Resource: '*' }] } } })
      .addCluster(defaultCluster('j-1'))
      .fail('iam:GetRolePolicy', { code: 'AccessDenied', message: 'not authorized to perform: iam:GetRolePolicy' });
    const snap = await collect(fake);
    const region = regionOf(snap);
    const ctx = { settings: defaultSettings(), now: new Date(snap.collectedAt), region: makeRegionView(region, snap) };
    const cluster = region.clusters.find((c) => c.id === 'j-1')!;
    const run = (check: ClusterCheck): Outcome => {
      const outcomes = check.evaluate(cluster, ctx);
      expect(outcomes).toHaveLength(1);
      return outcomes[0]!;
    };
    return { region, run };
  }

  it('keeps the role, its attached list and its managed policies; the unread inline policy is named', async () => {
    const { region } = await collectDenied([DEPRECATED]);
    expect(region.roles.EMR_EC2_DefaultRole).toEqual({
      name: 'EMR_EC2_DefaultRole',
      arn: `arn:aws:iam::${ACCOUNT_ID}:role/EMR_EC2_DefaultRole`,
      attachedPolicyArns: [DEPRECATED],
      inlinePolicies: [],
      unreadInlinePolicies: ['ops'],
    });
    expect(Object.keys(region.managedPolicies)).toContain(DEPRECATED);
    expect(region.errors).toEqual([{ kind: 'rolePolicies', resourceId: 'EMR_EC2_DefaultRole', api: 'iam:GetRolePolicy', code: 'AccessDenied', message: 'not authorized to perform: iam:GetRolePolicy' }]);
  });

  it('iam/instance-profile-deprecated-policy needs only the attached list: FAIL with the policy, PASS without it', async () => {
    const { run } = await collectDenied([DEPRECATED]);
    expect(run(deprecatedPolicy)).toMatchObject({ status: 'FAIL', message: expect.stringContaining(DEPRECATED) as unknown });
  });

  it('iam/instance-profile-deprecated-policy passes on a readable attached list without it', async () => {
    const { run } = await collectDenied([SCOPED]);
    expect(run(deprecatedPolicy).status).toBe('PASS');
  });

  it('the checks that need the inline policies are ERROR, naming the inline policy that could not be read', async () => {
    const { run } = await collectDenied([SCOPED]);
    for (const check of [admin, privilegeEscalation, wildcardDataAccess]) {
      const o = run(check);
      expect(o.status, check.id).toBe('ERROR');
      expect(o.message, check.id).toBe(
        'Could not evaluate: the instance profile role and its policies unavailable — inline policy EMR_EC2_DefaultRole/ops: iam:GetRolePolicy AccessDenied (not authorized to perform: iam:GetRolePolicy)',
      );
    }
  });
});
