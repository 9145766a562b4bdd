/**
 * Change-triggered audits measured (issue 25 item 6): from the state of a full run over N simulated
 * clusters, one change of each kind is made in the account and its event audited the way the
 * function does it (lib/events/change-plan.ts → the restricted collection), against the simulator
 * with AWS's latencies and rate limits on the real clock (a change audit is a few dozen calls, so
 * model time is real time here). Reported per kind: the calls, the model time of the collection,
 * and that time plus Security Hub, which the simulator does not serve: modelled as the GetFindings
 * pages of the region's ACTIVE findings (3 per s after a burst of 6, ~150 ms each) and one import.
 * Then a burst of 500 events over 20 s on 50 clusters through the coalescing rule.
 *
 *   npx tsx scripts/bench/change-events.ts [--n 10,100,1000]
 */
import { CHECKS } from '../../checks/index.js';
import { createAwsClients } from '../../lib/aws/clients.js';
import { systemClock } from '../../lib/clock.js';
import { collectSnapshot } from '../../lib/collect/index.js';
import { evaluateSnapshot } from '../../lib/evaluate.js';
import { auditsFor, resolveTargets } from '../../lib/events/change-plan.js';
import type { ChangedResource, ChangeEvent } from '../../lib/events/cloudtrail.js';
import { coalesce, dueFollowUps } from '../../lib/events/coalesce.js';
import { lookupGroupIds, lookupOwners } from '../../lib/events/owner-lookup.js';
import { selectChecks } from '../../lib/evaluate.js';
import { MAX_SCOPED_RESOURCES } from '../../lib/report/sync-plan.js';
import { defaultSettings } from '../../lib/settings.js';
import type { ChangeMark, RegionState } from '../../lib/state/schema.js';
import { nextState } from '../../lib/state/view.js';
import { buildAccount, type SimAccount } from './account.js';
import { knownAfterFullRun, minimumCalls, neededApis, type CallCounts, type PermissionHolder } from './expected.js';
import { API_SPECS, type ApiSpec } from './limits.js';
import { Simulator } from './simulator.js';

const REGION = 'us-east-1';
const UNLIMITED: ApiSpec[] = API_SPECS.map((s) => ({ ...s, burst: Infinity, rate: Infinity }));
/** Security Hub, not simulated: per-call latency and GetFindings' quota (SECURITY-HUB.md rule 17). */
const HUB_CALL_MS = 150;
const GET_FINDINGS_BURST = 6;
const GET_FINDINGS_RATE = 3;

export interface ChangeKindFigures {
  kind: string;
  clusters: number;
  calls: number;
  byApi: Record<string, number>;
  /** The minimum of the audit's collection calls (DESIGN.md's model on the audited clusters alone). */
  minimum: number;
  /** APIs whose calls differ from their minimum: api → [calls, minimum]. */
  offMinimum: Record<string, [number, number]>;
  collectSeconds: number;
  hubCalls: number;
  modelSeconds: number;
}

export interface ChangeBenchResult {
  n: number;
  kinds: ChangeKindFigures[];
  burst: { events: number; clusters: number; audits: number; maxPerCluster: number };
}

/**
 * The Security Hub part of one audit: the GetFindings pages it reads, then one import. A run over
 * at most MAX_SCOPED_RESOURCES − 1 clusters reads only their findings and the account's (the
 * ResourceId filter, lib/report/sync-plan.ts) plus one page counting the open gaps outside its
 * scope; a wider one reads the region's ACTIVE findings.
 */
function hubSeconds(activeFindings: number, scoped: boolean): { calls: number; seconds: number } {
  const pages = Math.max(1, Math.ceil(activeFindings / 100)) + (scoped ? 1 : 0);
  const waited = Math.max(0, pages - GET_FINDINGS_BURST) / GET_FINDINGS_RATE;
  return { calls: pages + 1, seconds: waited + (pages + 1) * (HUB_CALL_MS / 1000) };
}

/**
 * One event audit's minimum: expected.ts's model over the audited clusters alone (their nodes,
 * groups, profiles, roles, policies), each described once, nothing listed, the account id known,
 * security configurations known from the state, and policy documents known by version from the
 * full run in the same (warm) container: GetPolicy says whether the default version changed.
 */
function eventMinimum(account: SimAccount, clusterIds: readonly string[], checks: readonly PermissionHolder[]): CallCounts {
  const ids = new Set(clusterIds);
  const sub: SimAccount = {
    ...account,
    clusters: account.clusters.filter((c) => ids.has(c.id)),
    ec2Instances: new Map([...account.ec2Instances].filter(([, i]) => ids.has(i.clusterId))),
  };
  const known = { clusters: new Set<string>(), securityConfigurations: knownAfterFullRun(account).securityConfigurations };
  const m = minimumCalls(sub, neededApis(checks), { accountIdKnown: true, known });
  m.delete('emr:ListClusters');
  m.delete('iam:GetPolicyVersion');
  return m;
}

/** The simulator answers every call: no real credentials, endpoint or profile may be used. */
function isolateEnvironment(): void {
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_ENDPOINT_URL') || k === 'AWS_PROFILE' || k === 'AWS_SESSION_TOKEN') delete process.env[k];
  process.env['AWS_ACCESS_KEY_ID'] = 'AKIAEMRAUDITBENCH000';
  process.env['AWS_SECRET_ACCESS_KEY'] = 'bench-not-a-real-secret-key';
  process.env['AWS_REGION'] = REGION;
  process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
}

export async function measureChangeEvents(n: number, seed = 0x5eed + n): Promise<ChangeBenchResult> {
  isolateEnvironment();
  const account = buildAccount({ n, seed, region: REGION });
  const settings = defaultSettings();
  // The warm state: a full collection at unlimited speed (its content is what a warm run keeps).
  const fast = new Simulator({ account, latencyScale: 0, specs: UNLIMITED, sharedBuckets: [] });
  // Its speed is not measured: paced 10,000× the quotas so it costs CPU, not real sleeps.
  const full = await collectSnapshot({ regions: [REGION], settings: { ...settings, rateMultiplier: 10_000 }, clients: fast.instrument(createAwsClients({ maxAttempts: 3, homeRegion: REGION })), accountId: account.accountId, checks: CHECKS, clock: systemClock });
  const region = full.regions[0]!;
  const state: RegionState = nextState(undefined, region, { accountId: account.accountId, now: full.collectedAt, audited: true });
  const fails = evaluateSnapshot(full, { checks: CHECKS, settings }).filter((r) => r.status === 'FAIL');
  const failsOf = (clusterIds: readonly string[] | undefined): number => {
    if (clusterIds === undefined || clusterIds.length + 1 > MAX_SCOPED_RESOURCES) return fails.length;
    const ids = new Set(clusterIds);
    return fails.filter((r) => r.clusterId === null || ids.has(r.clusterId)).length;
  };

  // The change of each kind that touches the fewest clusters (an EMR-managed group is often shared
  // by many: its change re-audits them all, which is a different figure).
  const users = new Map<string, number>();
  for (const ks of Object.values(state.index?.clusters ?? {})) for (const k of ks) users.set(k, (users.get(k) ?? 0) + 1);
  const allKeys = [...users.keys()];
  const first = (prefix: string): string | undefined =>
    allKeys
      .filter((k) => k.startsWith(prefix))
      .sort((a, b) => (users.get(a) ?? 0) - (users.get(b) ?? 0) || a.localeCompare(b))[0]
      ?.slice(prefix.length);
  const role = first('role:');
  const changes: Array<[string, string, ChangedResource[]]> = [
    ['security-group rule', 'ec2.amazonaws.com', first('sg:') ? [{ kind: 'security-group', id: first('sg:')! }] : []],
    ['route', 'ec2.amazonaws.com', first('rtb:') ? [{ kind: 'route-table', id: first('rtb:')! }] : []],
    ['network ACL entry', 'ec2.amazonaws.com', first('acl:') ? [{ kind: 'network-acl', id: first('acl:')! }] : []],
    ['role policy', 'iam.amazonaws.com', role ? [{ kind: 'role', name: role }] : []],
    ['block public access', 'elasticmapreduce.amazonaws.com', [{ kind: 'account-setting', setting: 'emr-block-public-access' }]],
  ];
  const kinds: ChangeKindFigures[] = [];
  for (const [kind, eventSource, resources] of changes) {
    if (resources.length === 0) continue;
    const change: ChangeEvent = { eventSource, eventName: kind, eventId: kind, eventTime: full.collectedAt, region: REGION, accountId: account.accountId, resources };
    const sim = new Simulator({ account });
    const clients = sim.instrument(createAwsClients({ maxAttempts: settings.maxAttempts, homeRegion: REGION }));
    const t = performance.now();
    const resolved = await resolveTargets({ change, auditedRegions: [REGION], states: new Map([[REGION, state]]), lookup: (r, f) => lookupOwners(clients.forRegion(r).ec2, f), groupIds: (r, names) => lookupGroupIds(clients.forRegion(r).ec2, names) });
    let clusters = 0;
    const hub = { calls: 0, seconds: 0 };
    const minimum: CallCounts = new Map();
    for (const a of auditsFor(resolved.targets, kind)) {
      clusters += a.request.clusterIds?.length ?? 0;
      // An account-only audit's snapshot holds no cluster: its read is the account's findings.
      const scope = a.accountOnly ? [] : a.request.clusterIds;
      const part = hubSeconds(failsOf(scope), scope !== undefined && scope.length + 1 <= MAX_SCOPED_RESOURCES);
      hub.calls += part.calls;
      hub.seconds += part.seconds;
      for (const [api, c] of eventMinimum(account, scope ?? [], selectChecks(CHECKS, settings, a.request.checks))) minimum.set(api, (minimum.get(api) ?? 0) + c);
      await collectSnapshot({
        regions: a.request.regions ?? [REGION],
        ...(a.request.clusterIds ? { clusterIds: a.request.clusterIds } : {}),
        ...(a.accountOnly ? { accountOnly: true } : {}),
        checks: selectChecks(CHECKS, settings, a.request.checks),
        settings,
        clients,
        accountId: account.accountId,
        clock: systemClock,
        run: { trigger: 'change-event' },
        states: new Map([[REGION, state]]),
      });
    }
    const collectSeconds = (performance.now() - t) / 1000;
    const byApi = Object.fromEntries([...sim.apiStats()].map(([api, s]) => [api, s.ok]));
    const calls = Object.values(byApi).reduce((a, b) => a + b, 0);
    const offMinimum = Object.fromEntries(
      [...new Set([...Object.keys(byApi), ...minimum.keys()])]
        .map((api): [string, [number, number]] => [api, [byApi[api] ?? 0, minimum.get(api) ?? 0]])
        .filter(([, [c, m]]) => c !== m),
    );
    const minimumTotal = [...minimum.values()].reduce((a, b) => a + b, 0);
    kinds.push({ kind, clusters, calls, minimum: minimumTotal, offMinimum, byApi, collectSeconds, hubCalls: hub.calls, modelSeconds: collectSeconds + hub.seconds });
  }

  // The burst: 500 events over 20 s, round-robin over 50 clusters, each follow-up at its due time.
  let marks: Record<string, ChangeMark> = {};
  const audits = new Map<string, number>();
  const due = new Map<string, string>();
  const t0 = Date.parse(full.collectedAt);
  for (let e = 0; e < 500; e++) {
    const d = coalesce(marks, [`cluster-${e % 50}`], t0 + e * 40, settings.changeDebounceSeconds);
    marks = d.marks;
    for (const c of d.now) audits.set(c, (audits.get(c) ?? 0) + 1);
    for (const f of d.followUps) due.set(f.target, f.dueAt);
  }
  for (const [c, at] of due) {
    const d = dueFollowUps(marks, [c], Date.parse(at));
    marks = d.marks;
    for (const x of d.now) audits.set(x, (audits.get(x) ?? 0) + 1);
  }
  const counts = [...audits.values()];
  return { n, kinds, burst: { events: 500, clusters: audits.size, audits: counts.reduce((a, b) => a + b, 0), maxPerCluster: Math.max(...counts) } };
}

export function renderChangeEvents(results: readonly ChangeBenchResult[]): string {
  const lines = ['Change-triggered audits (one change of each kind, from the state of a full run; Security Hub modelled):'];
  for (const r of results) {
    lines.push(`  N = ${r.n}`);
    for (const k of r.kinds) {
      lines.push(`    ${k.kind.padEnd(22)} ${String(k.clusters).padStart(3)} cluster(s)  ${String(k.calls).padStart(3)} calls / minimum ${k.minimum} = ${(k.calls / Math.max(1, k.minimum)).toFixed(2)}${Object.keys(k.offMinimum).length > 0 ? ` (off: ${Object.entries(k.offMinimum).map(([api, [c, m]]) => `${api} ${c}/${m}`).join(', ')})` : ''} + ${k.hubCalls} Security Hub  collect ${k.collectSeconds.toFixed(1)} s  arrival → last import ${k.modelSeconds.toFixed(1)} s`);
    }
    lines.push(`    burst: ${r.burst.events} events over 20 s on ${r.burst.clusters} clusters → ${r.burst.audits} audits (at most ${r.burst.maxPerCluster} per cluster)`);
  }
  return lines.join('\n');
}

const invoked = process.argv[1]?.endsWith('change-events.ts') ?? false;
if (invoked) {
  const at = process.argv.indexOf('--n');
  const ns = at >= 0 ? (process.argv[at + 1] ?? '').split(',').map(Number) : [10, 100, 1000];
  const results: ChangeBenchResult[] = [];
  for (const n of ns) results.push(await measureChangeEvents(n));
  process.stdout.write(`${renderChangeEvents(results)}\n`);
  process.exit(0);
}
