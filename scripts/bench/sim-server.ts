/**
 * The simulated account of the benchmark's memory run, in a process of its own: the cold-run
 * account of N clusters (the same seed and churn hold-back as the timing run's) behind the HTTP
 * endpoint on 127.0.0.1. Prints `SIM_LISTENING <url>` once it listens and serves until killed.
 *
 * It answers instantly and throttles nothing: the memory run measures what the product holds, not
 * time, and the product paces itself to the quotas in its own (warped) model time anyway. Only the
 * timing runs (child.ts, in one process) model latencies and rate limits, where model time is one
 * clock for both sides.
 *
 *   node --import tsx scripts/bench/sim-server.ts --n 1000 [--seed S]
 */
import { coldAccount } from './churn.js';
import { startHttpEndpoint } from './http-endpoint.js';
import { API_SPECS } from './limits.js';
import { LISTENING_PREFIX } from './result.js';
import { Simulator } from './simulator.js';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const n = Number(get('n') ?? '10');
  if (!Number.isInteger(n) || n < 1) throw new Error(`--n must be a positive integer, got ${get('n') ?? ''}`);
  const seed = get('seed') !== undefined ? Number(get('seed')) : 0x5eed + n;
  const region = get('region') ?? 'us-east-1';
  const { account } = coldAccount(n, seed, region);
  const unlimited = API_SPECS.map((s) => ({ ...s, burst: Infinity, rate: Infinity }));
  const simulator = new Simulator({ account, specs: unlimited, sharedBuckets: [], latencyScale: 0 });
  const endpoint = await startHttpEndpoint({ simulator });
  process.stdout.write(`${LISTENING_PREFIX}${endpoint.url}\n`);
  const stop = (): void => {
    void endpoint.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`simulator server failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
