import { systemClock } from '../../lib/clock.js';
import { BatchImportFindingsCommand, type AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Result } from '../../checks/contract.js';
import type { AuditRequest } from '../../lib/request.js';
import { createPublisher } from '../../lib/report/sync.js';
import type { Settings } from '../../lib/settings.js';
import type { Snapshot } from '../../lib/snapshot.js';
import { FakeSecurityHub } from '../helpers/fake-security-hub.js';
import { ACCOUNT, NOW, REGION, accessDenied, makeCluster, makeSnapshot } from '../helpers/fixtures.js';
import { TEST_CHECKS, clients, noSleep, request, result, settings, sg } from './helpers.js';

const OTHER = 'eu-west-1';
const C1 = 'j-CLUSTER0001';
const C2 = 'j-CLUSTER0002';
const later = (minutes: number): Date => new Date(NOW.getTime() + minutes * 60_000);
const id = (checkId: string, resourceId: string, region = REGION): string => `emr-audit/${region}/${ACCOUNT}/${checkId}/${resourceId}`;

let hub: FakeSecurityHub;
let log: ReturnType<typeof vi.fn<(level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void>>;

beforeEach(() => {
  hub = new FakeSecurityHub();
  log = vi.fn();
});
afterEach(() => hub.restore());

interface Run {
  snapshot?: Snapshot;
  results: Result[];
  request?: Partial<AuditRequest>;
  now?: Date;
  settings?: Partial<Settings>;
}

function twoClusters(region = REGION): Snapshot {
  return makeSnapshot([{ region, clusters: [makeCluster({ id: C1, name: 'one' }), makeCluster({ id: C2, name: 'two' })] }]);
}

function sync(run: Run) {
  const publish = createPublisher({ clients: clients(), settings: settings(run.settings), checks: TEST_CHECKS, clock: systemClock, sleep: noSleep, log });
  return publish({ snapshot: run.snapshot ?? twoClusters(), results: run.results, request: request(run.request), now: run.now ?? NOW });
}

/** Every check of the test registry on both clusters, FAIL for the listed (check, cluster) pairs. */
function fullResults(fails: Array<[string, string]>, overrides: Partial<Record<string, Partial<Result>>> = {}): Result[] {
  const out: Result[] = [];
  for (const check of TEST_CHECKS) {
    if (check.scope === 'region') {
      out.push(result({ checkId: check.id, status: 'PASS', clusterId: null }));
      continue;
    }
    for (const cluster of [C1, C2]) {
      const failing = fails.some(([c, k]) => c === check.id && k === cluster);
      out.push(result({ checkId: check.id, status: failing ? 'FAIL' : 'PASS', clusterId: cluster, ...overrides[`${check.id}@${cluster}`] }));
    }
  }
  return out;
}

function manyFails(n: number): { snapshot: Snapshot; results: Result[] } {
  const ids = Array.from({ length: n }, (_, i) => `j-MANY${String(i).padStart(8, '0')}`);
  return {
    snapshot: makeSnapshot([{ clusters: ids.map((cid) => makeCluster({ id: cid })) }]),
    results: ids.map((cid) => result({ checkId: 'logging/no-log-uri', status: 'FAIL', clusterId: cid })),
  };
}

describe('Security Hub synchronisation', () => {
  it('imports each FAIL once and updates the same Ids on the next run, keeping CreatedAt and moving UpdatedAt forward', async () => {
    const results = fullResults([
      ['network/ssh-from-internet', C1],
      ['logging/no-log-uri', C2],
    ]);
    const first = await sync({ results });
    expect(first).toMatchObject({ imported: 2, archived: 0, failed: 0, errors: [] });
    const ids = hub.active().map((f) => f.Id).sort();
    expect(ids).toEqual([id('logging/no-log-uri', C2), id('network/ssh-from-internet', C1)]);
    const before = hub.get(REGION, id('network/ssh-from-internet', C1));

    // Unchanged an hour later: nothing is sent (rule 14). A live run collects at its start.
    const second = await sync({ results, now: later(60), snapshot: { ...twoClusters(), collectedAt: later(60).toISOString() } });
    expect(second).toMatchObject({ imported: 0, archived: 0, failed: 0, errors: [] });
    expect(hub.get(REGION, id('network/ssh-from-internet', C1))).toEqual(before);

    // Past its refresh (at most 48 h after the last import): the same Ids are updated.
    const refresh = later(48 * 60);
    const third = await sync({ results, now: refresh, snapshot: { ...twoClusters(), collectedAt: refresh.toISOString() } });
    expect(third).toMatchObject({ imported: 2, archived: 0, failed: 0, errors: [] });
    expect(hub.all().map((f) => f.Id).sort()).toEqual(ids);
    const after = hub.get(REGION, id('network/ssh-from-internet', C1));
    expect(after?.CreatedAt).toBe(before?.CreatedAt);
    expect(after?.FirstObservedAt).toBe(NOW.toISOString());
    expect(after?.UpdatedAt).toBe(refresh.toISOString());
    expect(after?.LastObservedAt).toBe(refresh.toISOString());
  });

  it('imports an ACTIVE finding again as soon as its provider content changes, and only that one', async () => {
    await sync({ results: fullResults([['network/ssh-from-internet', C1], ['logging/no-log-uri', C2]]) });
    const calls = hub.importCalls().length;
    const changed = fullResults([['network/ssh-from-internet', C1], ['logging/no-log-uri', C2]], {
      [`network/ssh-from-internet@${C1}`]: { message: 'port 22 open to 0.0.0.0/0 and ::/0', resources: ['sg-00000000000000001'] },
    });
    const summary = await sync({ results: changed, now: later(5) });
    expect(summary).toMatchObject({ imported: 1, archived: 0, failed: 0, errors: [] });
    expect(hub.importCalls().slice(calls).flatMap((c) => c.ids)).toEqual([id('network/ssh-from-internet', C1)]);
    expect(hub.get(REGION, id('network/ssh-from-internet', C1))?.UpdatedAt).toBe(later(5).toISOString());
    expect(log).toHaveBeenCalledWith('info', 'Security Hub plan', expect.objectContaining({ fail: 1, unchanged: 1, refreshed: 0 }));
  });

  it('refreshes unchanged findings every 30 h or so, spread over the runs, never sooner than 24 h after their last import', async () => {
    const run = manyFails(200);
    await sync(run);
    const sentAt = async (hours: number): Promise<number> => {
      const before = hub.importCalls().length;
      await sync({ ...run, now: later(hours * 60) });
      return hub.importCalls().slice(before).flatMap((c) => c.ids).length;
    };
    const perRun: number[] = [];
    for (const hours of [6, 12, 18, 24, 30, 36, 42, 48, 54, 60, 66, 72]) perRun.push(await sentAt(hours));
    // Nothing in the first day; then each finding once in the next 30 h, a fifth of them or so per 6-hour run.
    expect(perRun.slice(0, 3)).toEqual([0, 0, 0]);
    expect(perRun.slice(3, 8).reduce((a, b) => a + b, 0)).toBe(200);
    for (const n of perRun.slice(3)) expect(n, `per run: ${perRun.join(", ")}`).toBeLessThanOrEqual(80);
    for (const f of hub.active()) {
      const updated = Date.parse(f.UpdatedAt ?? '');
      expect(updated - Date.parse(f.CreatedAt ?? '')).toBeGreaterThanOrEqual(24 * 3_600_000);
    }
  });

  it('reads our ACTIVE findings with exactly the filters of rule 13, to the last page', async () => {
    for (let i = 0; i < 250; i += 1) {
      hub.seed(REGION, {
        ...storedFinding('logging/no-log-uri', `j-OLD${String(i).padStart(8, '0')}`),
      });
    }
    // A whole-region run (restricted to a check, so the old clusters' findings stay): no ResourceId filter.
    await sync({ results: fullResults([]), request: { checks: ['network/ssh-from-internet'] } });
    const reads = hub.getCalls(REGION);
    expect(reads).toHaveLength(3);
    expect(reads[0]?.input).toEqual({
      Filters: {
        ProductArn: [{ Value: `arn:aws:securityhub:${REGION}:${ACCOUNT}:product/${ACCOUNT}/default`, Comparison: 'EQUALS' }],
        GeneratorId: [{ Value: 'emr-audit/', Comparison: 'PREFIX' }],
        AwsAccountId: [{ Value: ACCOUNT, Comparison: 'EQUALS' }],
        Region: [{ Value: REGION, Comparison: 'EQUALS' }],
        RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
      },
      MaxResults: 100,
    });
    expect(reads[2]?.input.NextToken).toBeDefined();
    expect(log).toHaveBeenCalledWith('info', 'Security Hub plan', expect.objectContaining({ region: REGION, active: 250, untouched: 250 }));
  });

  it('a run restricted to a few clusters reads only their ACTIVE findings and the account\'s (ResourceId filter)', async () => {
    for (let i = 0; i < 250; i += 1) hub.seed(REGION, storedFinding('logging/no-log-uri', `j-OLD${String(i).padStart(8, '0')}`));
    const summary = await sync({ results: fullResults([]), request: { clusterIds: [C1, C2] } });
    expect(summary).toMatchObject({ archived: 0, failed: 0, errors: [] });
    const reads = hub.getCalls(REGION);
    // One page of the scoped read, one for the open gaps outside the scope; none of the 250 findings read.
    expect(reads).toHaveLength(2);
    expect(reads[0]?.input.Filters?.ResourceId).toEqual([
      { Value: `arn:aws:elasticmapreduce:${REGION}:${ACCOUNT}:cluster/${C1}`, Comparison: 'EQUALS' },
      { Value: `arn:aws:elasticmapreduce:${REGION}:${ACCOUNT}:cluster/${C2}`, Comparison: 'EQUALS' },
      { Value: `AWS::::Account:${ACCOUNT}`, Comparison: 'EQUALS' },
    ]);
    expect(reads[0]?.input.Filters?.RecordState).toEqual([{ Value: 'ACTIVE', Comparison: 'EQUALS' }]);
    expect(hub.active()).toHaveLength(250);
  });

  it('a scoped run archives a resolved finding of its cluster and leaves other clusters\' findings untouched', async () => {
    const other = 'j-OTHER000001';
    hub.seed(REGION, storedFinding('logging/no-log-uri', C1));
    hub.seed(REGION, storedFinding('logging/no-log-uri', other));
    hub.seed(REGION, storedFinding('network/ssh-from-internet', other));
    const before = hub.get(REGION, id('logging/no-log-uri', other));
    const snapshot = { ...makeSnapshot([{ clusters: [makeCluster({ id: C1, name: 'one' })] }]), scope: { clusterIds: [C1] } };
    const results = fullResults([]).filter((r) => r.clusterId === C1 || r.clusterId === null);
    const summary = await sync({ snapshot, results });
    expect(summary).toMatchObject({ archived: 1, failed: 0, errors: [] });
    expect(hub.get(REGION, id('logging/no-log-uri', C1))).toMatchObject({ RecordState: 'ARCHIVED', Compliance: { Status: 'PASSED' } });
    expect(hub.get(REGION, id('logging/no-log-uri', other))).toEqual(before);
    expect(hub.get(REGION, id('network/ssh-from-internet', other))?.RecordState).toBe('ACTIVE');
    expect(hub.getCalls(REGION)[0]?.input.Filters?.ResourceId).toHaveLength(2);
  });

  it('a scoped run archives the findings of a cluster reported terminated, reading them by its ARN', async () => {
    hub.seed(REGION, storedFinding('logging/no-log-uri', C2));
    hub.seed(REGION, storedFinding('logging/no-log-uri', 'j-OTHER000001'));
    const snapshot = { ...makeSnapshot([{ clusters: [] }]), scope: { clusterIds: [] } };
    const summary = await sync({ snapshot, results: [], request: { clusterIds: [C2], terminatedClusters: [{ clusterId: C2, region: REGION }] } });
    expect(summary).toMatchObject({ archived: 1, failed: 0 });
    expect(hub.get(REGION, id('logging/no-log-uri', C2))).toMatchObject({ RecordState: 'ARCHIVED', Compliance: { Status: 'NOT_AVAILABLE' } });
    expect(hub.get(REGION, id('logging/no-log-uri', 'j-OTHER000001'))?.RecordState).toBe('ACTIVE');
  });

  it('a scoped run counts the open evaluation gaps of clusters it did not read', async () => {
    const gapOther = { ...storedFinding('audit/evaluation-incomplete', 'j-OTHER000001') };
    hub.seed(REGION, gapOther);
    const summary = await sync({ results: fullResults([]), request: { clusterIds: [C1] } });
    expect(summary.openGaps).toBe(1);
    expect(hub.get(REGION, gapOther.Id ?? '')?.RecordState).toBe('ACTIVE');
  });

  it('a run over more clusters than one filter holds reads the whole region', async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `j-MANY${String(i).padStart(8, '0')}`);
    const snapshot = { ...makeSnapshot([{ clusters: ids.map((cid) => makeCluster({ id: cid })) }]), scope: { clusterIds: ids } };
    await sync({ snapshot, results: ids.map((cid) => result({ checkId: 'logging/no-log-uri', status: 'PASS', clusterId: cid })) });
    expect(hub.getCalls(REGION)[0]?.input.Filters?.ResourceId).toBeUndefined();
  });

  it('still updates a finding whose stored UpdatedAt is not older than the run (clock skew)', async () => {
    const skewed = later(5).toISOString();
    hub.seed(REGION, { ...storedFinding('logging/no-log-uri', C1), UpdatedAt: skewed, Description: 'old text' });
    await sync({ results: fullResults([['logging/no-log-uri', C1]]) });
    const f = hub.get(REGION, id('logging/no-log-uri', C1));
    expect(f?.Description).toBe('logging/no-log-uri FAIL on j-CLUSTER0001');
    expect(f?.UpdatedAt).toBe(new Date(Date.parse(skewed) + 1).toISOString());
  });

  it('archives a fixed problem with Compliance PASSED and says why', async () => {
    await sync({ results: fullResults([['network/ssh-from-internet', C1]]) });
    const summary = await sync({
      results: fullResults([], { [`network/ssh-from-internet@${C1}`]: { message: 'No rule allows SSH from the internet.' } }),
      now: later(60),
    });
    expect(summary).toMatchObject({ imported: 0, archived: 1, failed: 0, errors: [] });
    const f = hub.get(REGION, id('network/ssh-from-internet', C1));
    expect(f).toMatchObject({ RecordState: 'ARCHIVED', Compliance: { Status: 'PASSED' }, UpdatedAt: later(60).toISOString() });
    expect(f?.Description).toMatch(/^Resolved: No rule allows SSH from the internet\. Last reported: network\/ssh-from-internet FAIL/);
    expect(f?.CreatedAt).toBe(NOW.toISOString());
  });

  it('archives a NOT_APPLICABLE result like a PASS', async () => {
    await sync({ results: fullResults([['logging/no-log-uri', C1]]) });
    await sync({ results: fullResults([], { [`logging/no-log-uri@${C1}`]: { status: 'NOT_APPLICABLE' } }), now: later(1) });
    expect(hub.get(REGION, id('logging/no-log-uri', C1))).toMatchObject({ RecordState: 'ARCHIVED', Compliance: { Status: 'PASSED' } });
  });

  it('archives a finding of a resource the check no longer reports on a cluster it evaluated', async () => {
    const perGroup = (group: string): Result =>
      result({ checkId: 'network/ssh-from-internet', status: 'FAIL', clusterId: C1, resourceId: `${C1}/${group}`, resourceDetails: [sg(group)] });
    await sync({ results: [perGroup('sg-a'), perGroup('sg-b')] });
    expect(hub.active()).toHaveLength(2);
    await sync({ results: [perGroup('sg-b')], now: later(1) });
    expect(hub.get(REGION, id('network/ssh-from-internet', `${C1}/sg-a`))).toMatchObject({ RecordState: 'ARCHIVED', Compliance: { Status: 'PASSED' } });
    expect(hub.get(REGION, id('network/ssh-from-internet', `${C1}/sg-b`))?.RecordState).toBe('ACTIVE');
  });

  it('archives every finding of a cluster absent from a complete listing as NOT_AVAILABLE, its gap included', async () => {
    await sync({
      results: fullResults([['logging/no-log-uri', C2]], { [`iam/instance-profile-admin@${C2}`]: { status: 'ERROR', message: 'denied' } }),
    });
    expect(hub.active().map((f) => f.GeneratorId).sort()).toEqual(['emr-audit/audit/evaluation-incomplete', 'emr-audit/logging/no-log-uri']);

    const onlyC1 = makeSnapshot([{ clusters: [makeCluster({ id: C1 })] }]);
    const summary = await sync({ snapshot: onlyC1, results: fullResults([]).filter((r) => r.clusterId !== C2), now: later(60) });
    expect(summary.archived).toBe(2);
    for (const f of hub.all()) {
      expect(f).toMatchObject({ RecordState: 'ARCHIVED', Compliance: { Status: 'NOT_AVAILABLE' } });
      expect(f.Description).toMatch(/^Archived: cluster j-CLUSTER0002 is no longer active/);
    }
  });

  it('archives a terminated cluster (EMR state-change event) without collecting anything, and touches nothing else', async () => {
    await sync({ results: fullResults([['logging/no-log-uri', C1], ['logging/no-log-uri', C2]]) });
    const noRegions = makeSnapshot([]);
    const summary = await sync({
      snapshot: noRegions,
      results: [],
      request: { trigger: 'cluster-state-change', regions: [REGION], clusterIds: [C2], terminatedClusters: [{ clusterId: C2, region: REGION }] },
      now: later(5),
    });
    expect(summary).toMatchObject({ imported: 0, archived: 1, failed: 0, errors: [] });
    expect(hub.get(REGION, id('logging/no-log-uri', C2))).toMatchObject({ RecordState: 'ARCHIVED', Compliance: { Status: 'NOT_AVAILABLE' } });
    expect(hub.get(REGION, id('logging/no-log-uri', C2))?.Description).toMatch(/^Archived: cluster j-CLUSTER0002 terminated\./);
    expect(hub.get(REGION, id('logging/no-log-uri', C1))).toMatchObject({ RecordState: 'ACTIVE', UpdatedAt: NOW.toISOString() });
  });

  it('archives the findings of a suppressed cluster check, keeping the compliance status and naming the tag', async () => {
    await sync({ results: fullResults([['iam/instance-profile-admin', C1]]) });
    await sync({
      results: fullResults([], {
        [`iam/instance-profile-admin@${C1}`]: { status: 'SUPPRESSED', originalStatus: 'FAIL', suppressedBy: 'cluster tag emr-audit:suppress' },
      }),
      now: later(1),
    });
    const f = hub.get(REGION, id('iam/instance-profile-admin', C1));
    expect(f).toMatchObject({ RecordState: 'ARCHIVED', Compliance: { Status: 'FAILED' } });
    expect(f?.Description).toMatch(/^Archived: suppressed by cluster tag emr-audit:suppress\./);
  });

  it('archives the findings of a check disabled account-wide in a full run only', async () => {
    await sync({ results: fullResults([['logging/no-log-uri', C1]]) });
    const withoutCheck = fullResults([]).filter((r) => r.checkId !== 'logging/no-log-uri');

    await sync({ results: withoutCheck.filter((r) => r.clusterId === C1), request: { clusterIds: [C1] }, settings: { disabledChecks: ['logging/no-log-uri'] }, now: later(1) });
    expect(hub.get(REGION, id('logging/no-log-uri', C1))?.RecordState).toBe('ACTIVE');

    const summary = await sync({ results: withoutCheck, settings: { disabledChecks: ['logging/no-log-uri'] }, now: later(2) });
    expect(summary.archived).toBe(1);
    const f = hub.get(REGION, id('logging/no-log-uri', C1));
    expect(f).toMatchObject({ RecordState: 'ARCHIVED', Compliance: { Status: 'FAILED' } });
    expect(f?.Description).toMatch(/^Archived: check logging\/no-log-uri is disabled account-wide \(EMR_AUDIT_DISABLED_CHECKS\)\./);
  });

  it('leaves the IAM findings of a cluster whose IAM data was denied untouched and reports the gap', async () => {
    await sync({ results: fullResults([['iam/instance-profile-admin', C1], ['logging/no-log-uri', C1]]) });
    const before = hub.get(REGION, id('iam/instance-profile-admin', C1));
    const denied = 'Could not evaluate: role EMR_EC2 unavailable — iam:GetRole AccessDenied (User is not authorized)';
    const summary = await sync({
      results: fullResults([], { [`iam/instance-profile-admin@${C1}`]: { status: 'ERROR', message: denied } }),
      now: later(60),
    });
    expect(summary).toMatchObject({ imported: 1, archived: 1, failed: 0, errors: [] });
    expect(hub.get(REGION, id('iam/instance-profile-admin', C1))).toEqual(before);
    expect(hub.get(REGION, id('logging/no-log-uri', C1))?.RecordState).toBe('ARCHIVED');
    const gap = hub.get(REGION, id('audit/evaluation-incomplete', C1));
    expect(gap).toMatchObject({ RecordState: 'ACTIVE', Compliance: { Status: 'WARNING' }, Severity: { Label: 'INFORMATIONAL' } });
    expect(gap?.Description).toContain(`- iam/instance-profile-admin: ${denied}`);
  });

  it('archives a gap once every check it lists was evaluated', async () => {
    await sync({ results: fullResults([], { [`iam/instance-profile-admin@${C1}`]: { status: 'ERROR', message: 'denied' } }) });
    const summary = await sync({ results: fullResults([]), now: later(60) });
    expect(summary.archived).toBe(1);
    const gap = hub.get(REGION, id('audit/evaluation-incomplete', C1));
    expect(gap).toMatchObject({ RecordState: 'ARCHIVED', Compliance: { Status: 'PASSED' } });
    expect(gap?.Description).toMatch(/^Resolved: every check listed here was evaluated in this run\./);
  });

  it('keeps the checks a subset run did not evaluate in the gap it updates or narrows', async () => {
    await sync({
      results: fullResults([], {
        [`iam/instance-profile-admin@${C1}`]: { status: 'ERROR', message: 'iam denied' },
        [`logging/no-log-uri@${C1}`]: { status: 'ERROR', message: 'throttled' },
      }),
    });
    // Only logging/no-log-uri is re-run, and it works now: the IAM part of the gap remains.
    await sync({ results: [result({ checkId: 'logging/no-log-uri', status: 'PASS', clusterId: C1 })], request: { checks: ['logging/no-log-uri'] }, now: later(1) });
    let gap = hub.get(REGION, id('audit/evaluation-incomplete', C1));
    expect(gap?.RecordState).toBe('ACTIVE');
    expect(gap?.ProductFields?.['emr-audit/IncompleteChecks']).toBe('iam/instance-profile-admin');
    expect(gap?.Description).toContain('- iam/instance-profile-admin: not evaluated by this run');

    // A subset run that errors on another check adds to the gap without forgetting the IAM one.
    await sync({
      results: [result({ checkId: 'network/ssh-from-internet', status: 'ERROR', clusterId: C1, message: 'sg denied' })],
      request: { checks: ['network/ssh-from-internet'] },
      now: later(2),
    });
    gap = hub.get(REGION, id('audit/evaluation-incomplete', C1));
    expect(gap?.ProductFields?.['emr-audit/IncompleteChecks']).toBe('network/ssh-from-internet,iam/instance-profile-admin');

    // A subset run of unrelated checks leaves the gap as it is.
    const untouched = hub.get(REGION, id('audit/evaluation-incomplete', C1));
    await sync({ results: [result({ checkId: 'logging/no-log-uri', status: 'PASS', clusterId: C1 })], request: { checks: ['logging/no-log-uri'] }, now: later(3) });
    expect(hub.get(REGION, id('audit/evaluation-incomplete', C1))).toEqual(untouched);
  });

  it('touches nothing in a region that could not be listed, reports the region gap, and goes on elsewhere', async () => {
    const both = makeSnapshot([
      { region: REGION, clusters: [makeCluster({ id: C1 })] },
      { region: OTHER, clusters: [makeCluster({ id: C2 })] },
    ]);
    await sync({
      snapshot: both,
      results: [
        result({ checkId: 'logging/no-log-uri', status: 'FAIL', clusterId: C1 }),
        result({ checkId: 'logging/no-log-uri', status: 'FAIL', clusterId: C2, region: OTHER }),
      ],
    });
    const before = hub.all(REGION);

    const failed = makeSnapshot([
      { region: REGION, clusters: [], errors: [accessDenied('region', REGION, 'elasticmapreduce:ListClusters')] },
      { region: OTHER, clusters: [makeCluster({ id: C2 })] },
    ]);
    const reason = 'The region could not be audited: elasticmapreduce:ListClusters AccessDenied';
    const summary = await sync({
      snapshot: failed,
      results: [
        ...TEST_CHECKS.map((c) => result({ checkId: c.id, status: 'ERROR', clusterId: null, message: reason })),
        result({ checkId: 'logging/no-log-uri', status: 'PASS', clusterId: C2, region: OTHER }),
      ],
      now: later(60),
    });
    expect(summary).toMatchObject({ imported: 1, archived: 1, failed: 0, errors: [] });
    for (const f of before) expect(hub.get(REGION, f.Id ?? '')).toEqual(f);
    expect(hub.get(REGION, id('audit/evaluation-incomplete', REGION))).toMatchObject({ RecordState: 'ACTIVE', Compliance: { Status: 'WARNING' } });
    expect(hub.get(OTHER, id('logging/no-log-uri', C2, OTHER))?.RecordState).toBe('ARCHIVED');
  });

  it('leaves other clusters alone in an on-demand run for one cluster', async () => {
    await sync({ results: fullResults([['logging/no-log-uri', C1], ['logging/no-log-uri', C2], ['network/shared-managed-security-group', C2]]) });
    const c2Before = hub.all().filter((f) => f.ProductFields?.['emr-audit/ClusterId'] === C2);
    const onlyC1 = makeSnapshot([{ clusters: [makeCluster({ id: C1 })] }]);
    const summary = await sync({
      snapshot: onlyC1,
      results: fullResults([]).filter((r) => r.clusterId === C1 && r.checkId !== 'network/shared-managed-security-group'),
      request: { trigger: 'on-demand', clusterIds: [C1] },
      now: later(1),
    });
    expect(summary).toMatchObject({ imported: 0, archived: 1, failed: 0, errors: [] });
    for (const f of c2Before) expect(hub.get(REGION, f.Id ?? '')).toEqual(f);
  });

  it('leaves other checks alone in a run of a subset of checks, and region findings in a cluster run', async () => {
    await sync({
      results: [
        ...fullResults([['logging/no-log-uri', C1], ['iam/instance-profile-admin', C1]]).filter((r) => r.checkId !== 'exposure/block-public-access-disabled'),
        result({ checkId: 'exposure/block-public-access-disabled', status: 'FAIL', clusterId: null }),
      ],
    });
    const iamBefore = hub.get(REGION, id('iam/instance-profile-admin', C1));
    const bpaBefore = hub.get(REGION, id('exposure/block-public-access-disabled', REGION));
    await sync({
      results: [result({ checkId: 'logging/no-log-uri', status: 'PASS', clusterId: C1 }), result({ checkId: 'logging/no-log-uri', status: 'PASS', clusterId: C2 })],
      request: { checks: ['logging/no-log-uri'] },
      now: later(1),
    });
    expect(hub.get(REGION, id('logging/no-log-uri', C1))?.RecordState).toBe('ARCHIVED');
    expect(hub.get(REGION, id('iam/instance-profile-admin', C1))).toEqual(iamBefore);
    expect(hub.get(REGION, id('exposure/block-public-access-disabled', REGION))).toEqual(bpaBefore);

    await sync({ results: fullResults([]).filter((r) => r.clusterId === C1), request: { clusterIds: [C1] }, now: later(2) });
    expect(hub.get(REGION, id('exposure/block-public-access-disabled', REGION))).toEqual(bpaBefore);
  });

  it('never touches findings of other tools in the default product', async () => {
    const foreign = { ...storedFinding('logging/no-log-uri', C1), Id: 'other-tool/1', GeneratorId: 'other-tool/check' };
    hub.seed(REGION, foreign);
    await sync({ results: fullResults([]) });
    expect(hub.get(REGION, 'other-tool/1')?.RecordState).toBe('ACTIVE');
    expect(hub.importCalls()).toHaveLength(0);
  });

  it('does not archive findings of another region seen through an aggregation region', async () => {
    hub.aggregateInto(REGION);
    hub.seed(OTHER, storedFinding('logging/no-log-uri', C1, OTHER));
    await sync({ results: fullResults([]) });
    expect(hub.get(OTHER, id('logging/no-log-uri', C1, OTHER))?.RecordState).toBe('ACTIVE');
  });

  it('keeps the customer workflow, note and severity through updates and archiving', async () => {
    await sync({ results: fullResults([['logging/no-log-uri', C1]]) });
    const fid = id('logging/no-log-uri', C1);
    hub.customerUpdate(REGION, fid, { Workflow: { Status: 'NOTIFIED' }, Note: { Text: 'ticket SEC-1', UpdatedBy: 'alice', UpdatedAt: NOW.toISOString() }, Severity: { Label: 'CRITICAL' } });
    await sync({ results: fullResults([['logging/no-log-uri', C1]]), now: later(1) });
    expect(hub.get(REGION, fid)).toMatchObject({ Workflow: { Status: 'NOTIFIED' }, Note: { Text: 'ticket SEC-1' }, Severity: { Label: 'CRITICAL' } });
    const summary = await sync({ results: fullResults([]), now: later(2) });
    expect(summary.failed).toBe(0);
    expect(hub.get(REGION, fid)).toMatchObject({ RecordState: 'ARCHIVED', Workflow: { Status: 'NOTIFIED' }, Note: { Text: 'ticket SEC-1' } });
    const sent = hub.mock.commandCalls(BatchImportFindingsCommand).flatMap((c) => c.args[0].input.Findings ?? []);
    for (const f of sent) {
      for (const key of ['Workflow', 'Note', 'UserDefinedFields', 'VerificationState', 'Severity', 'Types', 'Region', 'ProcessedAt']) expect(f).not.toHaveProperty(key);
      expect(Object.keys(f.ProductFields ?? {}).filter((k) => k.startsWith('aws/'))).toEqual([]);
    }
  });

  it('keeps CreatedAt of an archived finding that fails again', async () => {
    await sync({ results: fullResults([['logging/no-log-uri', C1]]) });
    await sync({ results: fullResults([]), now: later(1) });
    await sync({ results: fullResults([['logging/no-log-uri', C1]]), now: later(2) });
    expect(hub.get(REGION, id('logging/no-log-uri', C1))).toMatchObject({
      RecordState: 'ACTIVE',
      Compliance: { Status: 'FAILED' },
      CreatedAt: NOW.toISOString(),
      UpdatedAt: later(2).toISOString(),
    });
    const byId = hub.getCalls(REGION).find((c) => c.input.Filters?.Id);
    expect(byId?.input.Filters?.Id).toEqual([{ Value: id('logging/no-log-uri', C1), Comparison: 'EQUALS' }]);
  });

  it('imports PASSED findings with reportPassed, without re-sending unchanged ones', async () => {
    await sync({ results: fullResults([['logging/no-log-uri', C1]]), settings: { reportPassed: true } });
    const passed = hub.active().filter((f) => f.Compliance?.Status === 'PASSED');
    expect(passed).toHaveLength(fullResults([]).filter((r) => r.status === 'PASS').length - 1);
    const calls = hub.importCalls().length;
    const summary = await sync({ results: fullResults([['logging/no-log-uri', C1]]), settings: { reportPassed: true }, now: later(1) });
    expect(summary.imported).toBe(0);
    expect(hub.importCalls().slice(calls)).toEqual([]);
  });
});

describe('batches and failures', () => {
  it('imports 250 failures in 3 calls of at most 100', async () => {
    const summary = await sync(manyFails(250));
    expect(summary).toMatchObject({ imported: 250, archived: 0, failed: 0, errors: [] });
    expect(hub.importCalls().map((c) => c.ids.length)).toEqual([100, 100, 50]);
  });

  it('logs every FailedFindings entry and counts the non-retryable ones as failed', async () => {
    const run = manyFails(3);
    const rejected = id('logging/no-log-uri', 'j-MANY00000001');
    hub.failNextImport({ ids: [rejected], code: 'InvalidInput', message: 'Finding does not adhere to Amazon Finding Format.' });
    const summary = await sync(run);
    expect(summary.imported).toBe(2);
    expect(summary.failed).toBe(1);
    expect(summary.errors).toEqual([`${REGION}: finding ${rejected} was not imported (InvalidInput: Finding does not adhere to Amazon Finding Format.)`]);
    expect(log).toHaveBeenCalledWith('error', 'Security Hub did not import a finding', expect.objectContaining({ findingId: rejected, errorCode: 'InvalidInput', errorMessage: 'Finding does not adhere to Amazon Finding Format.', willRetry: false }));
    expect(hub.importCalls()).toHaveLength(1);
  });

  it('retries the retryable FailedFindings entries only, and logs each attempt', async () => {
    const run = manyFails(3);
    hub.failNextImport({ count: 2, code: 'InternalException', message: 'try later' });
    hub.failNextImport({ count: 1, code: 'LimitExceeded', message: 'slow down' });
    const summary = await sync(run);
    expect(summary).toMatchObject({ imported: 3, archived: 0, failed: 0, errors: [] });
    expect(hub.importCalls().map((c) => c.ids.length)).toEqual([3, 2, 1]);
    expect(log.mock.calls.filter(([level, message]) => level === 'warn' && message === 'Security Hub did not import a finding')).toHaveLength(3);
  });

  it('gives up on a retryable failure after the last retry and counts it', async () => {
    const run = manyFails(1);
    for (let i = 0; i < 4; i += 1) hub.failNextImport({ count: 1, code: 'InternalException', message: 'still down' });
    const summary = await sync(run);
    expect(summary.failed).toBe(1);
    expect(hub.importCalls()).toHaveLength(4);
  });

  it('retries a thrown LimitExceeded and never a thrown InvalidInput', async () => {
    hub.throwOnNextImport('LimitExceeded');
    expect(await sync(manyFails(2))).toMatchObject({ imported: 2, failed: 0 });
    expect(hub.importCalls()).toHaveLength(2);

    hub.throwOnNextImport('InvalidInput', 'bad request');
    const summary = await sync({ ...manyFails(2), now: later(48 * 60) });
    expect(summary).toMatchObject({ imported: 0, failed: 2 });
    expect(hub.importCalls()).toHaveLength(3);
    expect(log).toHaveBeenCalledWith('error', 'BatchImportFindings failed', expect.objectContaining({ errorCode: 'InvalidInputException', willRetry: false }));
  });

  it('reports Security Hub not enabled once for the region, writes nothing there, and carries on elsewhere', async () => {
    hub.disable(REGION);
    const both = makeSnapshot([
      { region: REGION, clusters: [makeCluster({ id: C1 })] },
      { region: OTHER, clusters: [makeCluster({ id: C2 })] },
    ]);
    const summary = await sync({
      snapshot: both,
      results: [
        result({ checkId: 'logging/no-log-uri', status: 'FAIL', clusterId: C1 }),
        result({ checkId: 'iam/instance-profile-admin', status: 'FAIL', clusterId: C1 }),
        result({ checkId: 'logging/no-log-uri', status: 'FAIL', clusterId: C2, region: OTHER }),
      ],
    });
    expect(summary.imported).toBe(1);
    expect(summary.failed).toBe(2);
    expect(summary.errors).toHaveLength(1);
    expect(summary.errors[0]).toMatch(new RegExp(`^${REGION}: Security Hub refused the findings \\(InvalidAccessException: .*\\)\\. Is Security Hub CSPM enabled in ${REGION}`));
    expect(hub.importCalls(REGION)).toHaveLength(0);
  });

  it('reports an InvalidAccess in FailedFindings once, not per finding, and stops sending to that region', async () => {
    const run = manyFails(150);
    hub.failNextImport({ count: 100, code: 'InvalidAccess', message: 'Security Hub is not enabled' });
    const summary = await sync(run);
    expect(summary).toMatchObject({ imported: 0, failed: 150 });
    expect(summary.errors).toHaveLength(1);
    expect(summary.errors[0]).toContain('InvalidAccess: Security Hub is not enabled');
    expect(hub.importCalls()).toHaveLength(1);
  });

  it('imports current failures but archives nothing when the stored findings cannot be read', async () => {
    await sync({ results: fullResults([['logging/no-log-uri', C1]]) });
    hub.throwOnNextGet(Object.assign(new Error('throttled for good'), { name: 'TooManyRequestsException' }));
    const summary = await sync({ results: fullResults([['logging/no-log-uri', C2]]), now: later(1) });
    expect(summary).toMatchObject({ imported: 1, archived: 0, failed: 0 });
    expect(summary.errors).toEqual([`${REGION}: could not read the existing findings (TooManyRequestsException: throttled for good); current failures were imported, nothing was archived.`]);
    expect(hub.get(REGION, id('logging/no-log-uri', C1))?.RecordState).toBe('ACTIVE');
  });
});

// ---------------------------------------------------------------- helpers


/** A FAILED finding of ours as a previous run would have left it. */
function storedFinding(checkId: string, clusterId: string, region = REGION): AwsSecurityFinding {
  return {
    SchemaVersion: '2018-10-08',
    Id: id(checkId, clusterId, region),
    ProductArn: `arn:aws:securityhub:${region}:${ACCOUNT}:product/${ACCOUNT}/default`,
    GeneratorId: `emr-audit/${checkId}`,
    AwsAccountId: ACCOUNT,
    CreatedAt: '2026-11-01T00:00:00.000Z',
    UpdatedAt: '2026-11-01T00:00:00.000Z',
    Title: `Title of ${checkId}`,
    Description: 'stored',
    FindingProviderFields: { Severity: { Label: 'LOW' }, Types: ['Software and Configuration Checks/AWS Security Best Practices'] },
    Compliance: { Status: 'FAILED' },
    RecordState: 'ACTIVE',
    ProductFields: { 'emr-audit/CheckId': checkId, 'emr-audit/ResourceId': clusterId, 'emr-audit/ClusterId': clusterId },
    Resources: [{ Type: 'Other', Id: `arn:aws:elasticmapreduce:${region}:${ACCOUNT}:cluster/${clusterId}` }],
  };
}
