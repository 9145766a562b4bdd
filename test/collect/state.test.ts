/**
 * Fleet scale (DESIGN.md): nodes from EC2 by EMR's system tag, immutable facts from the state
 * store, tags fresh from the tagging API — and the same results as a full describe, whatever the
 * state holds.
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { clearPolicyVersionCache } from '../../lib/collect/index.js';
import { evaluateSnapshot } from '../../lib/evaluate.js';
import { defaultSettings } from '../../lib/settings.js';
import type { Snapshot } from '../../lib/snapshot.js';
import { loadRunState, saveRunState, statesOf } from '../../lib/state/run.js';
import { parseState, STATE_SCHEMA_VERSION, type RegionState } from '../../lib/state/schema.js';
import { FileStateStore, S3StateStore, stateKey } from '../../lib/state/store.js';
import { nextState } from '../../lib/state/view.js';
import { FakeAccount, REGION, type FakeMocks } from '../helpers/fake-account.js';
import { collect, defaultCluster, regionOf, untaggedCluster } from './harness.js';

let fake: FakeAccount;
let mocks: FakeMocks;
let dir: string;

beforeEach(async () => {
  clearPolicyVersionCache();
  fake = new FakeAccount().withDefaults();
  fake.addSecurityConfiguration('sec', { EncryptionConfiguration: { EnableAtRestEncryption: true, EnableInTransitEncryption: true } });
  mocks = fake.mock();
  dir = await mkdtemp(join(tmpdir(), 'emr-audit-state-'));
});
afterEach(async () => {
  mocks.restore();
  await rm(dir, { recursive: true, force: true });
});

const verdicts = (s: Snapshot): string[] =>
  evaluateSnapshot(s, { checks: CHECKS, settings: defaultSettings() })
    .map((r) => `${r.clusterId ?? '-'} ${r.checkId} ${r.status}`)
    .sort();

/** A cold run, then the state it leaves (as the Lambda saves it). */
async function coldRun(): Promise<{ snapshot: Snapshot; state: RegionState }> {
  const snapshot = await collect(fake);
  return { snapshot, state: nextState(undefined, regionOf(snapshot), { accountId: fake.accountId, now: snapshot.collectedAt, audited: true }) };
}

const warm = (state: RegionState) => collect(fake, { states: new Map([[REGION, state]]) });

function threeClusters(): void {
  for (const id of ['j-1', 'j-2', 'j-3']) fake.addCluster(defaultCluster(id, { securityConfiguration: 'sec', tags: { team: 'data' } }));
}

describe('warm runs', () => {
  it('3 clusters, warm: no DescribeCluster, no DescribeSecurityConfiguration, one GetResources; the same results', async () => {
    threeClusters();
    const { snapshot: cold, state } = await coldRun();
    expect(fake.count('elasticmapreduce:DescribeCluster')).toBe(3);
    expect(fake.count('tag:GetResources')).toBe(0);
    fake.calls.length = 0;

    const hot = await warm(state);

    expect(fake.count('elasticmapreduce:DescribeCluster')).toBe(0);
    expect(fake.count('elasticmapreduce:DescribeSecurityConfiguration')).toBe(0);
    expect(fake.count('elasticmapreduce:ListInstances')).toBe(0);
    expect(fake.count('tag:GetResources')).toBe(1);
    expect(fake.count('ec2:DescribeInstances')).toBe(1);
    expect(regionOf(hot).collection).toMatchObject({ described: [], fromState: ['j-1', 'j-2', 'j-3'], nodeFallbacks: [], tagFallbacks: [] });
    expect(verdicts(hot)).toEqual(verdicts(cold));
    expect({ ...regionOf(hot), collection: undefined }).toEqual({ ...regionOf(cold), collection: undefined });
  });

  it('a new cluster is described, a terminated one leaves the state', async () => {
    threeClusters();
    const { state } = await coldRun();
    fake.region().clusters.find((c) => c.id === 'j-2')!.state = 'TERMINATED';
    fake.addCluster(defaultCluster('j-4'));
    fake.calls.length = 0;

    const hot = await warm(state);

    expect(fake.calls.filter((c) => c.api === 'elasticmapreduce:DescribeCluster').map((c) => c.input.ClusterId)).toEqual(['j-4']);
    const next = nextState(state, regionOf(hot), { accountId: fake.accountId, now: hot.collectedAt, audited: false });
    expect(Object.keys(next.clusters).sort()).toEqual(['j-1', 'j-3', 'j-4']);
    // Not audited (published): the debounce times stay those of the cold run, a new one has none.
    expect(next.clusters['j-1']?.lastAuditedAt).toBe(state.clusters['j-1']?.lastAuditedAt);
    expect(next.clusters['j-4']?.lastAuditedAt).toBeUndefined();
  });

  it('a suppression tag removed between runs: the suppression is gone on the warm run', async () => {
    fake.addCluster(defaultCluster('j-1', { tags: { 'emr-audit:suppress': 'logging/no-log-uri' } }));
    fake.region().clusters[0]!.logUri = undefined;
    const { snapshot: cold, state } = await coldRun();
    expect(verdicts(cold)).toContain('j-1 logging/no-log-uri SUPPRESSED');

    fake.region().clusters[0]!.tags = {};
    const hot = await warm(state);

    expect(fake.count('elasticmapreduce:DescribeCluster')).toBe(1);
    expect(verdicts(hot)).toContain('j-1 logging/no-log-uri FAIL');
    expect(JSON.stringify(state)).not.toContain('emr-audit:suppress');
  });

  it('the tagging API denied: the known clusters are described for their tags', async () => {
    threeClusters();
    const { snapshot: cold, state } = await coldRun();
    fake.fail('tag:GetResources', { code: 'AccessDeniedException', message: 'not authorized to perform: tag:GetResources' });
    fake.calls.length = 0;

    const hot = await warm(state);

    expect(fake.count('elasticmapreduce:DescribeCluster')).toBe(3);
    expect(regionOf(hot).collection).toMatchObject({ tagFallbacks: ['j-1', 'j-2', 'j-3'], fromState: [] });
    expect(regionOf(hot).collection?.tagQueryFailure).toMatch(/AccessDeniedException/);
    expect(regionOf(hot).errors).toEqual([]);
    expect(verdicts(hot)).toEqual(verdicts(cold));
  });

  it('a state entry of another cluster under the same id (ARN or name differs) is not trusted', async () => {
    threeClusters();
    const { state } = await coldRun();
    state.clusters['j-1']!.facts.name = 'someone-else';
    fake.calls.length = 0;

    await warm(state);

    expect(fake.calls.filter((c) => c.api === 'elasticmapreduce:DescribeCluster').map((c) => c.input.ClusterId)).toEqual(['j-1']);
  });
});

describe('nodes', () => {
  it('a cluster whose nodes lack the system tag: exactly one ListInstances fallback, for that cluster, named', async () => {
    fake.addCluster(defaultCluster('j-tagged')).addCluster(untaggedCluster('j-bare'));

    const r = regionOf(await collect(fake));

    expect(fake.calls.filter((c) => c.api === 'elasticmapreduce:ListInstances').map((c) => c.input.ClusterId)).toEqual(['j-bare']);
    expect(fake.count('elasticmapreduce:ListInstanceGroups')).toBe(1);
    expect(r.collection?.nodeFallbacks).toEqual(['j-bare']);
    expect(r.clusters.map((c) => [c.id, c.instances?.map((i) => i.role)])).toEqual([
      ['j-tagged', ['MASTER', 'CORE', 'TASK']],
      ['j-bare', ['MASTER', 'CORE', 'TASK']],
    ]);
  });

  it('pages the node query to the end, 1,000 per page asked', async () => {
    mocks.restore();
    fake = new FakeAccount({ pageSizes: { 'ec2:DescribeInstances': 50 } }).withDefaults();
    mocks = fake.mock();
    fake.addCluster(defaultCluster('j-big', { instances: FakeAccount.nodes('j-big', 119) }));

    const r = regionOf(await collect(fake));

    const calls = fake.calls.filter((c) => c.api === 'ec2:DescribeInstances');
    expect(calls.map((c) => c.input.NextToken)).toEqual([undefined, 'page-50', 'page-100']);
    expect(calls.every((c) => c.input.MaxResults === 1000)).toBe(true);
    expect(r.clusters[0]?.instances).toHaveLength(120);
  });
});

describe('the state store', () => {
  it('a corrupted state object: logged, ignored whole, full describe, the same results', async () => {
    threeClusters();
    const cold = await collect(fake);
    const key = join(dir, stateKey('', fake.accountId, REGION));
    await mkdir(join(dir, fake.accountId), { recursive: true });
    const logs: string[] = [];
    for (const body of [Buffer.from('not gzip'), gzipSync('{"kind":"emr-audit-state"'), gzipSync(JSON.stringify({ kind: 'emr-audit-state', version: 99 }))]) {
      await writeFile(key, body);
      fake.calls.length = 0;
      const run = await loadRunState(new FileStateStore(dir), fake.accountId, [REGION], (level, message, data) => logs.push(`${level} ${message} ${String(data?.['reason'])}`));
      const hot = await collect(fake, { states: statesOf(run) });
      expect(fake.count('elasticmapreduce:DescribeCluster')).toBe(3);
      expect(verdicts(hot)).toEqual(verdicts(cold));
    }
    expect(logs).toHaveLength(3);
    expect(logs.every((l) => l.startsWith('warn State not used'))).toBe(true);
    expect(logs[2]).toMatch(/schema-invalid/);
  });

  it('a STARTING cluster is kept once an EC2 instance of it exists, not before', () => {
    const region = {
      region: REGION,
      clusters: [
        { id: 'j-launched', name: 'a', state: 'STARTING', described: true, tags: {}, instances: [{ id: 'i-1', ec2InstanceId: 'i-1', state: 'PROVISIONING' }] },
        { id: 'j-awaiting', name: 'b', state: 'STARTING', described: true, tags: {}, instances: [{ id: 'ci-2', state: 'AWAITING_FULFILLMENT' }] },
        { id: 'j-bare', name: 'c', state: 'STARTING', described: true, tags: {} },
      ],
      collection: { listed: ['j-launched', 'j-awaiting', 'j-bare'], described: ['j-launched', 'j-awaiting', 'j-bare'] },
    } as unknown as Parameters<typeof nextState>[1];
    const state = nextState(undefined, region, { accountId: fake.accountId, now: '2026-01-01T00:00:00.000Z', audited: true });
    expect(Object.keys(state.clusters)).toEqual(['j-launched']);
  });

  it('a state object of the previous schema version (no resource index) is ignored whole, to be rebuilt', () => {
    const old = { kind: 'emr-audit-state', version: 1, accountId: fake.accountId, region: REGION, savedAt: 'x', clusters: {}, securityConfigurations: {} };
    expect(parseState(old, { accountId: fake.accountId, region: REGION })).toEqual({ ok: false, reason: `schema-invalid at version: Invalid input: expected ${STATE_SCHEMA_VERSION}` });
  });

  it('a state of another account or region is not used', () => {
    const state = { kind: 'emr-audit-state', version: STATE_SCHEMA_VERSION, accountId: '999999999999', region: REGION, savedAt: 'x', clusters: {}, securityConfigurations: {} };
    expect(parseState(state, { accountId: fake.accountId, region: REGION })).toEqual({ ok: false, reason: `it belongs to account 999999999999, not ${fake.accountId}` });
    expect(parseState({ ...state, accountId: fake.accountId }, { accountId: fake.accountId, region: 'eu-west-1' }).ok).toBe(false);
  });

  it('file store: saved, read back, and a second writer that read the old version does not clobber', async () => {
    threeClusters();
    const store = new FileStateStore(dir);
    const log = (): void => undefined;
    const first = await loadRunState(store, fake.accountId, [REGION], log);
    const second = await loadRunState(store, fake.accountId, [REGION], log);
    const snap = await collect(fake, { states: statesOf(first) });
    await saveRunState(first, snap, { audited: true, now: snap.collectedAt }, log);
    const warnings: string[] = [];
    await saveRunState(second, snap, { audited: true, now: snap.collectedAt }, (level, message) => warnings.push(`${level} ${message}`));
    expect(warnings).toEqual(['warn State not saved']);
    const again = await store.load(fake.accountId, REGION);
    expect(Object.keys(again.state?.clusters ?? {}).sort()).toEqual(['j-1', 'j-2', 'j-3']);
  });

  it('S3 store: If-None-Match on the first write, If-Match the ETag after; no secret, no tag in the object', async () => {
    fake.addCluster(
      defaultCluster('j-krb', {
        tags: { owner: 'alice' },
        kerberos: { Realm: 'EC2.INTERNAL', KdcAdminPassword: 'KdcAdminSecret-1', CrossRealmTrustPrincipalPassword: 'CrossRealmSecret-2' },
        configurations: [{ Classification: 'hive-site', Properties: { 'javax.jdo.option.ConnectionPassword': 'HiveDbSecret-4' } }],
      }),
    );
    const store = new S3StateStore(fake.clients().s3, 'state-bucket', 'state/');
    const log = (): void => undefined;
    for (let run = 0; run < 2; run++) {
      const loaded = await loadRunState(store, fake.accountId, [REGION], log);
      const snap = await collect(fake, { states: statesOf(loaded) });
      await saveRunState(loaded, snap, { audited: true, now: snap.collectedAt }, log);
    }
    const puts = fake.calls.filter((c) => c.api === 's3:PutObject');
    expect(puts).toHaveLength(2);
    expect(puts[0]?.input).toMatchObject({ Bucket: 'state-bucket', Key: `state/${fake.accountId}/${REGION}.json.gz`, IfNoneMatch: '*' });
    expect(puts[1]?.input.IfMatch).toMatch(/^"[0-9a-f]{32}"$/);
    const object = fake.objects.get(`state-bucket/state/${fake.accountId}/${REGION}.json.gz`);
    const text = (await import('node:zlib')).gunzipSync(object!.body).toString('utf8');
    for (const secret of ['KdcAdminSecret-1', 'CrossRealmSecret-2', 'HiveDbSecret-4', 'alice', 'owner']) expect(text).not.toContain(secret);
    expect(text).toContain('EC2.INTERNAL');
    // The name of the literal credential is a kept fact (never its value).
    expect(text).toContain('"property":"javax.jdo.option.ConnectionPassword"');
    // The second run described nothing.
    expect(fake.count('elasticmapreduce:DescribeCluster')).toBe(1);
  });
});
