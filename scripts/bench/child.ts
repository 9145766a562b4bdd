/**
 * One benchmark run, in its own process so that its peak RSS is its own: builds the account of
 * N clusters, collects it with the real collectors and SDK clients against the simulator under
 * the time warp, evaluates the snapshot, and prints one `BENCH_RESULT {json}` line on stdout.
 *
 *   node --import tsx scripts/bench/child.ts --n 100 [--time-scale auto|K] [--seed S]
 */
import type { Result } from '../../checks/contract.js';
import { systemClock } from '../../lib/clock.js';
import type { Snapshot } from '../../lib/snapshot.js';
import { SECRET_MARKERS, type SimAccount } from './account.js';
import { activeClusters, knownAfterFullRun, lowerBound, minimumCalls, naiveCalls, neededApis, type CallCounts } from './expected.js';
import { RESULT_PREFIX, announcePhase, type ApiRow, type ChildResult, type EvaluationFigures, type MemoryPhase } from './result.js';
import { MODELLED_APIS, Simulator, type ApiStats } from './simulator.js';
import { installTimeWarp } from './timewarp.js';
import { importsPerRun, type ImportFigures } from './imports.js';
import { CHURN_RATE, churn, coldAccount } from './churn.js';
import type { FleetRun } from './result.js';
import type { CallCounts as Counts } from './expected.js';
import type { RegionState } from '../../lib/state/schema.js';
import type { RunKind } from '../../lib/collect/headroom.js';

const RULE_CHANGE_RATE = 0.02;
/** A Lambda invocation's collection time: 900 s less the default 60 s margin. */
const INVOCATION_SECONDS = 840;

const REGION = 'us-east-1';
/** The runs model the scheduled Lambda (cold and warm), which decides the EMR headroom with the state. */
const SCHEDULED: RunKind = { trigger: 'schedule' };
/** Auto time scale: aim for this many real seconds per run (lower bound / K). */
const AUTO_TARGET_REAL_SECONDS = 10;
const AUTO_MAX_SCALE = 200;

function parseArgs(argv: string[]): { n: number; scale: number | 'auto'; seed: number | undefined } {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const n = Number(get('n') ?? '10');
  if (!Number.isInteger(n) || n < 1) throw new Error(`--n must be a positive integer, got ${get('n') ?? ''}`);
  const rawScale = get('time-scale') ?? 'auto';
  const scale = rawScale === 'auto' ? 'auto' : Number(rawScale);
  if (scale !== 'auto' && !(scale > 0)) throw new Error(`--time-scale must be "auto" or a positive number, got ${rawScale}`);
  const seedRaw = get('seed');
  return { n, scale, seed: seedRaw === undefined ? undefined : Number(seedRaw) };
}

/** Dummy credentials and no endpoint overrides: nothing may leave the process. */
function isolateEnvironment(): void {
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_ENDPOINT_URL') || k === 'AWS_PROFILE' || k === 'AWS_SESSION_TOKEN') delete process.env[k];
  process.env['AWS_ACCESS_KEY_ID'] = 'AKIAEMRAUDITBENCH000';
  process.env['AWS_SECRET_ACCESS_KEY'] = 'bench-not-a-real-secret-key';
  process.env['AWS_REGION'] = REGION;
  process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
  delete process.env['AWS_MAX_ATTEMPTS'];
  delete process.env['AWS_RETRY_MODE'];
}

function accountSummary(account: SimAccount): ChildResult['account'] {
  const active = activeClusters(account);
  const instancesListed = active.reduce((n, c) => n + c.instances.filter((i) => i.state !== 'TERMINATED').length, 0);
  const runningInstances = active.reduce((n, c) => n + c.instances.filter((i) => i.state === 'RUNNING').length, 0);
  const groups = new Set(active.flatMap((c) => [c.masterSg, c.slaveSg, c.serviceAccessSg ?? '', ...c.additionalMasterSgs, ...c.additionalSlaveSgs].filter(Boolean)));
  return {
    active: active.length,
    terminated: account.clusters.length - active.length,
    instancesListed,
    runningInstances,
    securityGroups: groups.size,
    securityConfigurations: new Set(active.flatMap((c) => c.securityConfiguration ?? [])).size,
    instanceProfiles: account.instanceProfiles.size,
    roles: account.roles.size,
    managedPolicies: account.managedPolicies.size,
  };
}

function apiRows(stats: Map<string, ApiStats>, minimum: CallCounts, naive: CallCounts, t0: number): ApiRow[] {
  const keys = [...new Set([...MODELLED_APIS, ...stats.keys()])].filter((k) => stats.has(k) || minimum.has(k) || naive.has(k));
  return keys.map((api) => {
    const s = stats.get(api);
    return {
      api,
      ok: s?.ok ?? 0,
      throttled: s?.throttled ?? 0,
      errors: s?.errors ?? {},
      minimum: minimum.get(api) ?? 0,
      naive: naive.get(api) ?? 0,
      peakInFlight: s?.peakInFlight ?? 0,
      ...(s?.firstAt !== undefined ? { firstAt: (s.firstAt - t0) / 1000 } : {}),
      ...(s?.lastAt !== undefined ? { lastAt: (s.lastAt - t0) / 1000 } : {}),
    };
  });
}

function collectionErrors(snapshot: Snapshot): ChildResult['collectionErrors'] {
  const counts = new Map<string, { kind: string; code: string; api: string; count: number }>();
  let total = 0;
  for (const r of snapshot.regions) {
    for (const e of r.errors) {
      total += 1;
      const k = `${e.kind}|${e.code}|${e.api}`;
      const entry = counts.get(k) ?? { kind: e.kind, code: e.code, api: e.api, count: 0 };
      entry.count += 1;
      counts.set(k, entry);
    }
  }
  return { total, byKindAndCode: [...counts.values()].sort((a, b) => b.count - a.count) };
}

/** JSON with object keys sorted: two snapshots' data compare equal whatever order it arrived in. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** Real time spent measuring evaluation throughput, at most (plus one probe slice). */
const EVALUATION_BUDGET_MS = 6000;
const PROBE_CLUSTERS = 10;

type Evaluate = (options: { clusterIds?: readonly string[]; checkIds?: readonly string[] }) => Result[];

/**
 * Evaluation-only throughput over the prebuilt snapshot (run after the time warp is lifted).
 * Full evaluateSnapshot runs (a few, or as many as fit) when a probe slice says one fits the
 * budget; otherwise slices of clusters (`clusterIds`) until the budget is spent, with an estimate
 * of one full run. Also times each check on the probe slice, to name the slow ones.
 */
function measureEvaluation(s: Snapshot, evaluate: Evaluate, checks: readonly { id: string }[], count: (r: readonly Result[]) => Record<string, number>): EvaluationFigures {
  const ids = s.regions.flatMap((r) => r.clusters.map((c) => c.id));
  if (ids.length === 0) return { reps: 0, clustersPerSecond: 0, results: 0, byStatus: {}, slowestChecks: [] };
  const probe = ids.slice(0, PROBE_CLUSTERS);
  evaluate({ clusterIds: probe }); // warm-up (JIT, lazy module state)
  let t = performance.now();
  evaluate({ clusterIds: probe });
  const msPerCluster = (performance.now() - t) / probe.length;
  const slowestChecks = checks
    .map((c) => {
      const t0 = performance.now();
      evaluate({ clusterIds: probe, checkIds: [c.id] });
      return { id: c.id, msPerCluster: (performance.now() - t0) / probe.length };
    })
    .sort((a, b) => b.msPerCluster - a.msPerCluster)
    .slice(0, 3);

  const estimatedMs = msPerCluster * ids.length;
  if (estimatedMs <= EVALUATION_BUDGET_MS) {
    // As many full runs as fit (at least one, a few when they are quick).
    let reps = 0;
    t = performance.now();
    // Only the figures of a run are kept: holding its results while the next run builds its own
    // would double the results in memory, a peak no audit has.
    let last: { results: number; byStatus: Record<string, number> } | undefined;
    do {
      const results = evaluate({});
      last = { results: results.length, byStatus: count(results) };
      reps += 1;
    } while (reps < 200 && (reps < 3 || performance.now() - t < 1000) && performance.now() - t + estimatedMs <= EVALUATION_BUDGET_MS);
    const seconds = (performance.now() - t) / 1000;
    return { reps, clustersPerSecond: (ids.length * reps) / seconds, ...(last ?? { results: 0, byStatus: {} }), slowestChecks };
  }
  let evaluated = 0;
  const sample: Result[] = [];
  t = performance.now();
  while (performance.now() - t < EVALUATION_BUDGET_MS && evaluated < ids.length) {
    const slice = ids.slice(evaluated, evaluated + PROBE_CLUSTERS);
    sample.push(...evaluate({ clusterIds: slice }));
    evaluated += slice.length;
  }
  const rate = evaluated / ((performance.now() - t) / 1000);
  return { reps: 0, clustersPerSecond: rate, results: sample.length, byStatus: count(sample), sampled: { clusters: evaluated, estimatedFullRunSeconds: ids.length / rate }, slowestChecks };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  isolateEnvironment();
  const { CHECKS } = await import('../../checks/index.js');
  const seed = args.seed ?? 0x5eed + args.n;
  const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => undefined);
  const mb = (bytes: number): number => bytes / 2 ** 20;
  // Memory at each phase boundary: where the peak comes from, measured rather than inferred.
  const phases: MemoryPhase[] = [];
  const mark = (name: string): void => {
    const m = process.memoryUsage();
    phases.push({ name, rssMb: mb(m.rss), maxRssMb: mb(process.resourceUsage().maxRSS * 1024), heapUsedMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal), externalMb: mb(m.external) });
  };
  announcePhase('build the simulated account');
  gc();
  mark('start (code loaded, GC)');
  const heapBeforeModel = process.memoryUsage().heapUsed;
  const startRssMb = mb(process.memoryUsage().rss);
  // 5 % of the clusters are held back: they appear as new clusters between the cold and warm runs.
  const { account, held, taggedBeforeCold } = coldAccount(args.n, seed, REGION);
  gc();
  // The simulated account alone (the simulator's state is small next to it).
  const accountHeapMb = mb(process.memoryUsage().heapUsed - heapBeforeModel);
  mark('simulated account built (GC)');
  const preliminary = lowerBound(account, minimumCalls(account, neededApis(CHECKS)));
  const scale = args.scale === 'auto' ? Math.min(AUTO_MAX_SCALE, Math.max(1, Math.round(preliminary.seconds / AUTO_TARGET_REAL_SECONDS))) : args.scale;

  // Everything that paces itself by the clock is imported after the warp is in place.
  const warp = installTimeWarp(scale);
  const { collectSnapshot } = await import('../../lib/collect/index.js');
  const { createAwsClients } = await import('../../lib/aws/clients.js');
  const { defaultSettings } = await import('../../lib/settings.js');
  const { evaluateSnapshot, countByStatus } = await import('../../lib/evaluate.js');
  const { Snapshot: SnapshotSchema } = await import('../../lib/snapshot.js');

  const needed = neededApis(CHECKS);
  const minimum = minimumCalls(account, needed);
  const naive = naiveCalls(account);
  const bound = lowerBound(account, minimum);
  const settings = defaultSettings();
  const sim = new Simulator({ account, untimed: (fn) => warp.untimed(fn) });
  const clients = sim.instrument(createAwsClients({ maxAttempts: settings.maxAttempts, homeRegion: REGION }));
  // Security Hub is not part of collection: any call to it is a bug, never a network request.
  clients.forRegion(REGION).securityHub.middlewareStack.add(
    () => () => Promise.reject(new Error('benchmark: unexpected Security Hub call during collection')),
    { step: 'finalizeRequest', priority: 'low', name: 'emrAuditBenchNoSecurityHub' },
  );

  const base: Omit<ChildResult, 'apis' | 'invocations' | 'wall' | 'collectionErrors' | 'snapshot' | 'rss' | 'evaluation'> = {
    n: args.n,
    seed,
    timeScale: scale,
    account: accountSummary(account),
    neededApis: [...needed].filter((k) => k.includes(':')).sort(),
    bound,
  };
  gc();
  const modelMb = accountHeapMb;
  const baselineMb = mb(process.memoryUsage().rss);
  mark('before collection (product modules, clients, simulator; GC)');
  const t0Model = performance.now();
  const t0Real = warp.realNow();
  const t0Busy = warp.busyMs();
  const wall = (): ChildResult['wall'] => ({
    modelSeconds: (performance.now() - t0Model) / 1000,
    realSeconds: (warp.realNow() - t0Real) / 1000,
    busySeconds: (warp.busyMs() - t0Busy) / 1000,
  });

  // A collection that never ends still reports what it did (real-time guard, not dilated).
  // Its CPU time counts 1:1 and grows with the machine's load (on a 2-core machine shared by busy
  // neighbours, 80 s for the N = 1000 cold run): three minutes of allowance beyond five idle bounds.
  const realLimitMs = Math.max(60_000, (5 * bound.seconds * 1000) / scale + 180_000);
  const guard = warp.realNow();
  const watchdog = new Promise<'timeout'>((resolve) => {
    const tick = (): void => {
      if (warp.realNow() - guard > realLimitMs) resolve('timeout');
      else setTimeout(tick, 1000 * scale);
    };
    tick();
  });

  let snapshot: Snapshot | undefined;
  let failure: string | undefined;
  announcePhase('cold run (collection)');
  const outcome = await Promise.race([
    collectSnapshot({ regions: [REGION], settings, clients, checks: CHECKS, clock: systemClock, run: SCHEDULED }).then(
      (s) => {
        snapshot = s;
        return 'done' as const;
      },
      (e: unknown) => {
        failure = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        return 'failed' as const;
      },
    ),
    watchdog,
  ]);
  const wallTime = wall();
  const collectionPeakMb = mb(process.resourceUsage().maxRSS * 1024);
  mark('collected');
  gc();
  const liveAfterCollectionMb = mb(process.memoryUsage().heapUsed);
  mark('collected (GC)');
  const apis = apiRows(sim.apiStats(), minimum, naive, t0Model);
  const invocations = sim.invocationSummary();

  // ---------------------------------------------------------------- fleet scale: cold, churn, warm, event
  const fleet: FleetRun[] = [];
  let churnFacts: ChildResult['churn'];
  if (snapshot) {
    const { nextState } = await import('../../lib/state/view.js');
    const { clearPolicyVersionCache } = await import('../../lib/collect/index.js');
    const { evaluateSnapshot: evaluate } = await import('../../lib/evaluate.js');
    const nowIso = account.now.toISOString();
    // The results, and the network facts they will rest on once exposure/internet-reachable-port is
    // wired (issue 13): each node's subnet, VPC, groups and public addresses, and the VPC data.
    const verdicts = (s: Snapshot): string[] =>
      [
        ...evaluate({ ...s, collectedAt: nowIso }, { checks: CHECKS, settings }).map((r) => `${r.clusterId ?? '-'} ${r.checkId} ${r.status} ${r.message}`),
        ...s.regions.flatMap((r) => [
          `vpc-data ${r.region} ${canonical(r.vpc ?? null)}`,
          ...Object.values(r.ec2Instances).map((i) => `node ${i.instanceId} ${i.subnetId ?? '-'} ${i.vpcId ?? '-'} ${(i.securityGroupIds ?? []).join(',')} ${i.publicIpAddress ?? '-'} ${(i.ipv6Addresses ?? []).join(',')}`),
        ]),
      ].sort();
    const row = (label: string, stats: Map<string, ApiStats>, min: Counts, modelSeconds: number, snap: Snapshot, extra: Partial<FleetRun> = {}): FleetRun => {
      const keys = [...new Set([...stats.keys(), ...min.keys()])].sort();
      const emrCalls = [...stats].filter(([k]) => k.startsWith('emr:')).reduce((n, [, v]) => n + v.ok + v.throttled + Object.values(v.errors).reduce((a, b) => a + b, 0), 0);
      const c = snap.regions[0]?.collection;
      const describes = min.get('emr:DescribeCluster') ?? 0;
      return {
        label,
        apis: keys.map((api) => ({ api, calls: stats.get(api)?.ok ?? 0, minimum: min.get(api) ?? 0 })),
        modelSeconds,
        boundSeconds: lowerBound(account, min).seconds,
        describeBoundSeconds: Math.max(0, describes - 10) / 1,
        emrCalls,
        emrShare: emrCalls / (25 + 5 * modelSeconds),
        nodeFallbacks: c?.nodeFallbacks.length ?? 0,
        tagFallbacks: c?.tagFallbacks.length ?? 0,
        ...(c?.emrHeadroom ? { emrHeadroom: c.emrHeadroom } : {}),
        invocations: Math.max(1, Math.ceil(modelSeconds / INVOCATION_SECONDS)),
        peakRssMb: mb(process.resourceUsage().maxRSS * 1024),
        ...extra,
      };
    };
    const collectWith = async (states?: Map<string, RegionState>, clusterIds?: string[], run: RunKind = SCHEDULED): Promise<{ snap: Snapshot; stats: Map<string, ApiStats>; seconds: number }> => {
      // Each run is a new invocation, as the next scheduled run (6 h later) is: no cache of the
      // previous run's process (the managed-policy-version cache) answers for it.
      clearPolicyVersionCache();
      const runSim = new Simulator({ account, untimed: (fn) => warp.untimed(fn) });
      const runClients = runSim.instrument(createAwsClients({ maxAttempts: settings.maxAttempts, homeRegion: REGION }));
      const t = performance.now();
      const snap = await collectSnapshot({ regions: [REGION], settings, clients: runClients, checks: CHECKS, clock: systemClock, run, ...(states ? { states } : {}), ...(clusterIds ? { clusterIds } : {}) });
      return { snap, stats: runSim.apiStats(), seconds: (performance.now() - t) / 1000 };
    };
    fleet.push(row('cold', sim.apiStats(), minimum, wallTime.modelSeconds, snapshot));
    const coldState = nextState(undefined, snapshot.regions[0]!, { accountId: account.accountId, now: nowIso, audited: true });
    // From the model, not from the product's state: a state that kept too little would otherwise
    // lower the bar it is measured against.
    const known = knownAfterFullRun(account);
    const ch = churn(account, held, taggedBeforeCold, { terminate: CHURN_RATE, rule: RULE_CHANGE_RATE });
    churnFacts = { terminated: ch.terminated.length, added: ch.added.length, changedRule: ch.changedRule.length, suppressionAdded: ch.suppressionAdded, suppressionRemoved: ch.suppressionRemoved };
    const states = new Map([[REGION, coldState]]);
    announcePhase('warm run');
    const warmRun = await collectWith(states);
    announcePhase('full audit to compare the warm run with');
    const fresh = await collectWith();
    announcePhase('compare warm and full results');
    const a = verdicts(warmRun.snap);
    const b = verdicts(fresh.snap);
    const bSet = new Set(b);
    // One set each: a set built per line (as once here) made this comparison quadratic — at N = 1000
    // (some 40,000 lines) it alone outlasted the parent's 10-minute limit for the run.
    const aSet = new Set(a);
    const mismatches = [...a.filter((v) => !bSet.has(v)).map((v) => `warm only: ${v}`), ...b.filter((v) => !aSet.has(v)).map((v) => `full only: ${v}`)].slice(0, 10);
    fleet.push(row('warm', warmRun.stats, minimumCalls(account, needed, { known }), warmRun.seconds, warmRun.snap, { equalsFullAudit: a.length === b.length && mismatches.length === 0, ...(mismatches.length ? { mismatches } : {}) }));
    // One state-change event: a new cluster's first RUNNING event (it is described once).
    const newcomer = ch.added[0]!;
    announcePhase('state-change event');
    const event = await collectWith(states, [newcomer], { trigger: 'cluster-state-change' });
    const eventCalls: Counts = new Map([...event.stats].map(([k, v]) => [k, v.ok]));
    fleet.push(row(`event ${newcomer}`, event.stats, eventCalls, event.seconds, event.snap));
  }
  warp.restore();

  const empty = { total: 0, byKindAndCode: [] };
  let snapshotFacts: ChildResult['snapshot'] = { clusters: 0, described: 0, withInstances: 0, secretsFound: [], valid: false };
  let evaluation: EvaluationFigures = { reps: 0, clustersPerSecond: 0, results: 0, byStatus: {}, slowestChecks: [] };
  let productPeakMb = collectionPeakMb;
  let imports: ImportFigures | undefined;
  let snapshotJsonMb = 0;
  if (snapshot) {
    const s = snapshot;
    // The product's whole job ends with one evaluation (as runAudit does): its peak is taken here,
    // before the benchmark's own checks (JSON round trip, schema validation, timing runs).
    announcePhase('evaluation, snapshot checks');
    {
      // Dropped at the block's end: the timing runs below must not hold a second set of results.
      const results = evaluateSnapshot(s, { checks: CHECKS, settings });
      mark(`evaluated once (${results.length} results held)`);
      productPeakMb = mb(process.resourceUsage().maxRSS * 1024);
      announcePhase('Security Hub imports per run');
      imports = await importsPerRun(s, results, CHECKS, settings);
    }
    gc();
    mark('results dropped (GC)');
    const json = JSON.stringify(s);
    snapshotJsonMb = mb(Buffer.byteLength(json));
    const parsed = SnapshotSchema.safeParse(JSON.parse(json));
    const clusters = s.regions.flatMap((r) => r.clusters);
    snapshotFacts = {
      clusters: clusters.length,
      described: clusters.filter((c) => c.described).length,
      withInstances: clusters.filter((c) => c.instances !== undefined).length,
      secretsFound: SECRET_MARKERS.filter((m) => json.includes(m)),
      valid: parsed.success,
      ...(parsed.success ? {} : { invalidReason: parsed.error.issues[0]?.message ?? 'invalid' }),
    };
    mark('benchmark checks: JSON round trip and schema validation');
    announcePhase('evaluation throughput');
    evaluation = measureEvaluation(s, (options) => evaluateSnapshot(s, { checks: CHECKS, settings, ...options }), CHECKS, countByStatus);
    mark('benchmark timing runs');
  }

  const result: ChildResult = {
    ...base,
    ...(fleet.length > 0 ? { fleet } : {}),
    ...(churnFacts ? { churn: churnFacts } : {}),
    ...(imports ? { imports } : {}),
    apis,
    invocations,
    wall: wallTime,
    collectionErrors: snapshot ? collectionErrors(snapshot) : empty,
    snapshot: snapshotFacts,
    rss: { startMb: startRssMb, modelMb, baselineMb, collectionPeakMb, liveAfterCollectionMb, snapshotJsonMb, peakMb: mb(process.resourceUsage().maxRSS * 1024), phases, productPeakMb },
    evaluation,
    ...(outcome === 'timeout' ? { timedOut: true } : {}),
    ...(failure ? { failure } : {}),
  };
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
  // Stop whatever the collectors still have in flight (a timed-out run).
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`benchmark child failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
