/**
 * Suppression that a cluster owner cannot abuse (issue 14; CHECKS.md "Suppression"): visible as
 * one audit/suppressed finding per cluster, central rules with reason and expiry, and a switch
 * that turns the cluster tag off.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TYPES, type Check, type Result } from '../../checks/contract.js';
import { systemClock } from '../../lib/clock.js';
import { evaluateSnapshot } from '../../lib/evaluate.js';
import { buildFindings } from '../../lib/report/asff.js';
import { buildJsonReport } from '../../lib/report/json.js';
import { createPublisher } from '../../lib/report/sync.js';
import { loadSettings, type Settings } from '../../lib/settings.js';
import type { Snapshot } from '../../lib/snapshot.js';
import { FakeSecurityHub } from '../helpers/fake-security-hub.js';
import { ACCOUNT, NOW, REGION, makeCluster, makeSnapshot } from '../helpers/fixtures.js';
import { TEST_CHECKS, clients, noSleep, request } from './helpers.js';

const C1 = 'j-CLUSTER0001';
const C2 = 'j-CLUSTER0002';
const failing = (id: string): Check => ({
  id,
  title: `Title of ${id}`,
  severity: 'HIGH',
  scope: 'cluster',
  description: id,
  types: [TYPES.bestPractices],
  remediation: { text: 'Fix it.', url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-security.html' },
  permissions: ['elasticmapreduce:DescribeCluster'],
  settings: [],
  evaluate: () => [{ status: 'FAIL', message: `${id} fails` }],
});
const CHECKS: readonly Check[] = [failing('network/ssh-from-internet'), failing('logging/no-log-uri')];
const IDS = CHECKS.map((c) => c.id);
const suppressedId = (clusterId: string): string => `emr-audit/${REGION}/${ACCOUNT}/audit/suppressed/${clusterId}`;

function snapshot(tags: Record<string, string> = {}): Snapshot {
  return makeSnapshot([{ region: REGION, clusters: [makeCluster({ id: C1, name: 'etl-nightly', tags }), makeCluster({ id: C2, name: 'adhoc' })] }]);
}
const settingsWith = (env: Record<string, string>): Settings => loadSettings(env, {}, { knownCheckIds: IDS, now: NOW });
const evaluate = (snap: Snapshot, env: Record<string, string> = {}, runAt = NOW): Result[] => evaluateSnapshot(snap, { checks: CHECKS, settings: settingsWith(env), runAt });
const status = (results: readonly Result[], clusterId: string, checkId: string) => results.find((r) => r.clusterId === clusterId && r.checkId === checkId);

describe('suppression sources', () => {
  it('the cluster tag suppresses, naming its value', () => {
    const results = evaluate(snapshot({ 'emr-audit:suppress': 'network/ssh-from-internet' }));
    expect(status(results, C1, 'network/ssh-from-internet')).toMatchObject({ status: 'SUPPRESSED', originalStatus: 'FAIL', suppressedBy: 'cluster tag emr-audit:suppress=network/ssh-from-internet' });
    expect(status(results, C1, 'logging/no-log-uri')?.status).toBe('FAIL');
  });

  it('EMR_AUDIT_SUPPRESSION_TAGS=false ignores the tag', () => {
    const results = evaluate(snapshot({ 'emr-audit:suppress': '*' }), { EMR_AUDIT_SUPPRESSION_TAGS: 'false' });
    expect(results.filter((r) => r.status === 'SUPPRESSED')).toHaveLength(0);
  });

  it('a central rule suppresses by id, name glob or tag, naming its reason and expiry', () => {
    const rules = [
      { check: 'network/*', clusterName: 'etl-*', reason: 'private subnet, reviewed by secops', expires: '2027-03-31' },
      { check: 'logging/no-log-uri', tag: 'team=data', reason: 'logs shipped by agent', expires: '2027-01-15' },
    ];
    const results = evaluate(
      makeSnapshot([{ region: REGION, clusters: [makeCluster({ id: C1, name: 'etl-nightly' }), makeCluster({ id: C2, name: 'adhoc', tags: { team: 'data' } })] }]),
      { EMR_AUDIT_SUPPRESSIONS: JSON.stringify(rules) },
    );
    expect(status(results, C1, 'network/ssh-from-internet')?.suppressedBy).toBe(
      'EMR_AUDIT_SUPPRESSIONS rule 1 (network/* on clusters named etl-*; reason: private subnet, reviewed by secops; expires 2027-03-31)',
    );
    expect(status(results, C2, 'logging/no-log-uri')?.status).toBe('SUPPRESSED');
    expect(status(results, C2, 'network/ssh-from-internet')?.status).toBe('FAIL');
  });

  it('an expired rule no longer applies', () => {
    const rules = [{ check: 'network/*', clusterId: C1, reason: 'temporary', expires: '2026-12-01' }];
    const env = { EMR_AUDIT_SUPPRESSIONS: JSON.stringify(rules) };
    expect(status(evaluate(snapshot(), env), C1, 'network/ssh-from-internet')?.status).toBe('SUPPRESSED');
    // Expired on the run's clock, even for a snapshot collected before the expiry.
    expect(status(evaluate(snapshot(), env, new Date('2026-12-02T00:00:00Z')), C1, 'network/ssh-from-internet')?.status).toBe('FAIL');
  });

  it('the JSON summary and the ASFF output name every suppressed check and its source', () => {
    const snap = snapshot({ 'emr-audit:suppress': '*' });
    const results = evaluate(snap);
    const json = buildJsonReport({ results, snapshot: snap });
    expect(json.summary.suppressed).toEqual([
      {
        region: REGION,
        clusterId: C1,
        clusterName: 'etl-nightly',
        checks: IDS.map((checkId) => ({ checkId, originalStatus: 'FAIL', source: 'cluster tag emr-audit:suppress=*' })),
      },
    ]);
    const finding = buildFindings(results, snap, NOW, CHECKS).find((f) => f.Id === suppressedId(C1));
    expect(finding).toMatchObject({
      GeneratorId: 'emr-audit/audit/suppressed',
      Compliance: { Status: 'WARNING' },
      FindingProviderFields: { Severity: { Label: 'INFORMATIONAL' } },
      ProductFields: { 'emr-audit/SuppressedChecks': IDS.join(',') },
    });
    expect(finding?.Description).toContain('network/ssh-from-internet (FAIL), logging/no-log-uri (FAIL): by cluster tag emr-audit:suppress=*');
  });
});

describe('audit/suppressed in Security Hub', () => {
  let hub: FakeSecurityHub;
  beforeEach(() => {
    hub = new FakeSecurityHub();
  });
  afterEach(() => hub.restore());

  const sync = (snap: Snapshot, results: Result[], req = request(), now = NOW) =>
    createPublisher({ clients: clients(), settings: settingsWith({}), checks: [...CHECKS, ...TEST_CHECKS.filter((c) => !IDS.includes(c.id))], clock: systemClock, sleep: noSleep })({ snapshot: snap, results, request: req, now });

  it('is imported while something is suppressed, and archived once nothing is (only by a run that proves it)', async () => {
    const tagged = snapshot({ 'emr-audit:suppress': '*' });
    await sync(tagged, evaluate(tagged));
    const stored = hub.get(REGION, suppressedId(C1));
    expect(stored).toMatchObject({ RecordState: 'ACTIVE', Compliance: { Status: 'WARNING' } });
    // The suppressed FAILs are not findings; the other cluster's are.
    expect(hub.active().some((f) => f.Id?.endsWith(`/network/ssh-from-internet/${C1}`))).toBe(false);
    expect(hub.active().some((f) => f.Id?.endsWith(`/network/ssh-from-internet/${C2}`))).toBe(true);

    // A run restricted to one check cannot prove nothing else is suppressed: the finding stays.
    const untagged = snapshot();
    const later = new Date(NOW.getTime() + 60_000);
    await sync(untagged, evaluate(untagged).filter((r) => r.checkId === 'logging/no-log-uri'), request({ checks: ['logging/no-log-uri'] }), later);
    expect(hub.get(REGION, suppressedId(C1))?.RecordState).toBe('ACTIVE');

    await sync(untagged, evaluate(untagged), request(), new Date(NOW.getTime() + 120_000));
    expect(hub.get(REGION, suppressedId(C1))).toMatchObject({ RecordState: 'ARCHIVED', Compliance: { Status: 'PASSED' } });
  });

  it('is kept when the cluster could not be described (its tags are unknown)', async () => {
    const tagged = snapshot({ 'emr-audit:suppress': '*' });
    await sync(tagged, evaluate(tagged));
    const undescribed = makeSnapshot([{ region: REGION, clusters: [makeCluster({ id: C1, name: 'etl-nightly', described: false }), makeCluster({ id: C2, name: 'adhoc' })] }]);
    await sync(undescribed, evaluate(undescribed), request(), new Date(NOW.getTime() + 60_000));
    expect(hub.get(REGION, suppressedId(C1))?.RecordState).toBe('ACTIVE');
  });
});
