/**
 * The benchmark's memory run, product side: one scheduled audit as the Lambda runs it
 * (lib/audit.ts runAudit: collection, evaluation, then the Security Hub synchronisation plan of
 * every region), in a process that holds nothing else, against the simulated account served by
 * another process (sim-server.ts) at `--url`. Its peak RSS is then the product's alone, measured
 * (`process.resourceUsage().maxRSS`), not estimated by subtracting the simulator.
 *
 * Why a separate run instead of splitting the timing runs over two processes: the timing runs live
 * in model time (timewarp.ts dilates idle waits K-fold in one process), and a second process would
 * need the same clock for its latencies and token buckets — the two event loops are idle at
 * different moments, so their model clocks drift apart. Here only the product keeps model time
 * (its client-side pacing then follows the same schedule as in the timing run, K times faster);
 * the simulator answers at once and throttles nothing, so no second clock is needed. Calls and
 * wall time come from the timing runs; this run reports memory only.
 *
 * The plan is made against an empty Security Hub (the first run of a deployment: every finding is
 * new, the largest import); nothing is sent. The collection has no deadline: one invocation
 * collects the whole cold account, more than either of the two a real cold run at N = 1,000 needs.
 *
 *   node --max-old-space-size=256 memory-child.mjs --url http://127.0.0.1:PORT --time-scale K
 *
 * `EMR_AUDIT_BENCH_SAMPLE_MS=200` also prints RSS and heap to stderr whenever RSS moves by 5 MB
 * (model time and the last phase): where within a phase the peak is reached.
 */
import { systemClock } from '../../lib/clock.js';
import { installTimeWarp } from './timewarp.js';
import { RESULT_PREFIX, announcePhase, type MemoryPhase, type MemoryRunResult } from './result.js';

const REGION = 'us-east-1';


async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const url = get('url');
  if (!url) throw new Error('--url is required');
  const scale = Number(get('time-scale') ?? '1');
  // The SDK reads these when the clients are created: every call goes to the simulator process.
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_ENDPOINT_URL') || k === 'AWS_PROFILE' || k === 'AWS_SESSION_TOKEN') delete process.env[k];
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: 'AKIAEMRAUDITBENCH000',
    AWS_SECRET_ACCESS_KEY: 'bench-not-a-real-secret-key',
    AWS_REGION: REGION,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const mb = (bytes: number): number => bytes / 2 ** 20;
  const phases: MemoryPhase[] = [];
  const mark = (name: string): void => {
    announcePhase(`after: ${name}`);
    const m = process.memoryUsage();
    phases.push({ name, rssMb: mb(m.rss), maxRssMb: mb(process.resourceUsage().maxRSS * 1024), heapUsedMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal), externalMb: mb(m.external) });
  };
  const t0 = performance.now();
  const sampleMs = Number(process.env['EMR_AUDIT_BENCH_SAMPLE_MS'] ?? '0');
  if (sampleMs > 0) {
    let last = 0;
    const tick = (): void => {
      const m = process.memoryUsage();
      if (m.rss > last + 5 * 2 ** 20 || m.rss < last - 20 * 2 ** 20) {
        last = m.rss;
        process.stderr.write(`sample t=${((performance.now() - t0) / 1000).toFixed(1)} rss=${mb(m.rss).toFixed(0)} heap=${mb(m.heapUsed).toFixed(0)}/${mb(m.heapTotal).toFixed(0)} ext=${mb(m.external).toFixed(0)} ab=${mb(m.arrayBuffers).toFixed(0)} phase=${phases.at(-1)?.name ?? '-'}\n`);
      }
    };
    setInterval(tick, sampleMs).unref();
  }
  // Installed before the product's modules load, as in the timing run: the pacer's waits are model time.
  const warp = installTimeWarp(scale);
  const { CHECKS } = await import('../../checks/index.js');
  const { runAudit } = await import('../../lib/audit.js');
  const { createAwsClients } = await import('../../lib/aws/clients.js');
  const { collectSnapshot } = await import('../../lib/collect/index.js');
  const { defaultSettings } = await import('../../lib/settings.js');
  const { findingContext } = await import('../../lib/report/asff.js');
  const { desiredFindings, planRegion } = await import('../../lib/report/sync-plan.js');
  mark('product modules loaded');
  const settings = defaultSettings();
  const clients = createAwsClients({ maxAttempts: settings.maxAttempts, connectTimeoutMs: settings.connectTimeoutMs, requestTimeoutMs: settings.requestTimeoutMs, homeRegion: REGION });
  let plannedImports = 0;
  let phaseAfterCollection = false;
  const outcome = await runAudit(
    { trigger: 'schedule', dryRun: false, terminatedClusters: [], regions: [REGION] },
    {
      settings,
      checks: CHECKS,
      clock: systemClock,
      loadSnapshot: async () => {
        const s = await collectSnapshot({ regions: [REGION], settings, clients, checks: CHECKS, clock: systemClock });
        mark('collected');
        phaseAfterCollection = true;
        return s;
      },
      publish: ({ snapshot, results, request, now }) => {
        mark('evaluated');
        const ctx = findingContext(snapshot, now, CHECKS);
        for (const region of snapshot.regions) {
          const run = { region: region.region, snapshot: region, results: results.filter((r) => r.region === region.region), request, settings, checks: CHECKS };
          const plan = planRegion({ run, ctx, desired: desiredFindings(run, ctx), active: [] });
          plannedImports += plan.imports.length;
        }
        mark('Security Hub plan made');
        return Promise.resolve({ imported: 0, archived: 0, failed: 0, errors: [] });
      },
    },
  );
  if (!phaseAfterCollection) throw new Error('the snapshot was never collected');
  warp.restore();
  const result: MemoryRunResult = {
    peakRssMb: mb(process.resourceUsage().maxRSS * 1024),
    phases,
    clusters: outcome.snapshot.regions.reduce((n, r) => n + r.clusters.length, 0),
    results: outcome.results.length,
    plannedImports,
    collectionErrors: outcome.snapshot.regions.reduce((n, r) => n + r.errors.length, 0),
    realSeconds: (warp.realNow() - t0) / 1000,
    timeScale: scale,
  };
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`memory run failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
