/**
 * `npm run bench`: the collectors and the engine over a simulated account of N EMR clusters, with
 * AWS's rate limits and latencies, served to the real SDK clients below their retry layer.
 * For each N (a fresh process each, so peak RSS is that run's): calls per API against the minimum
 * the account requires and against a naive auditor, wall time against the lower bound the rate
 * limits set, throttling, failures, memory and evaluation throughput; then the Lambda bundle's
 * size and cold import time. See scripts/bench/ for the model, the simulator and the bound.
 *
 *   npm run bench -- [--n 10,100,1000] [--time-scale auto|K] [--heap-mb MB] [--seed S] [--json] [--no-artefact]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureArtefact, type ArtefactResult } from './bench/artefact.js';
import { LISTENING_PREFIX, type ChildResult, type MemoryRunResult } from './bench/result.js';
import { runWatched } from './bench/run-process.js';
import { LEGEND, renderArtefact, renderFleet, renderRun, totals } from './bench/report.js';
import { NODE_BUNDLE_OPTIONS } from './esbuild-options.js';
import { IAM_SCALE_DEFAULT_N, renderIamScale, runIamScale } from './bench/iam-scale.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHILD = join(ROOT, 'scripts', 'bench', 'child.ts');
const MEMORY_CHILD = join(ROOT, 'scripts', 'bench', 'memory-child.ts');
const SIM_SERVER = join(ROOT, 'scripts', 'bench', 'sim-server.ts');
/**
 * Time scale of the memory run, at most: its model time is the product's alone (the simulator
 * answers at once), and the SDK's connect timeout (5 s model) must stay well above the real time a
 * loopback connection takes on a loaded machine (5 s / 20 = 250 ms).
 */
const MEMORY_MAX_SCALE = 20;
/**
 * V8 sizes its old space at a quarter of the machine's memory: 256 MB in the 1024 MB Lambda
 * (serverless.yml memorySize). On a large machine it would let garbage pile up to gigabytes, so
 * each run gets the Lambda's cap and its peak RSS says what the function needs.
 */
const LAMBDA_HEAP_MB = 256;
/**
 * V8 sizes the young generation from the memory limit too (Node's docs: 1 MiB semi-spaces at a
 * 512 MiB limit, 8 MiB at 2 GiB, 16 MiB only above — what this 24 GB machine gives, 48 MB of young
 * generation). The function pins it (serverless.yml `NODE_OPTIONS: --max-semi-space-size=4`), so
 * the runs read the same value from there: what is measured is what is deployed.
 */
const LAMBDA_SEMI_SPACE_MB = Number(deployed(/^\s*NODE_OPTIONS:.*--max-semi-space-size=(\d+)/m, 'NODE_OPTIONS --max-semi-space-size'));

/** A value of the function's environment in serverless.yml (group 1 of `pattern`). */
function deployed(pattern: RegExp, what: string): string {
  const found = pattern.exec(readFileSync(join(ROOT, 'serverless.yml'), 'utf8'))?.[1];
  if (found === undefined) throw new Error(`serverless.yml sets no ${what} for the function`);
  return found;
}
/**
 * Old space the timing process gets beyond the Lambda's: it holds the simulated account too (37 MB
 * live at N = 1000, more while churning), and at the Lambda's cap alone the N = 1000 run ran out of
 * heap once in three runs. The product's own memory is measured by the memory run, at the Lambda's cap.
 */
const SIMULATOR_HEAP_MB = 128;
/** The function's glibc arena cap (serverless.yml `MALLOC_ARENA_MAX`), set for the product's processes. */
const LAMBDA_ENV = { ...process.env, MALLOC_ARENA_MAX: deployed(/^\s*MALLOC_ARENA_MAX:\s*'?(\d+)'?\s*$/m, 'MALLOC_ARENA_MAX') };
/**
 * Hard stop for one child (its own watchdog normally ends it much earlier). A killed child is
 * reported with the phase it was in (scripts/bench/run-process.ts).
 */
const CHILD_KILL_MS = 10 * 60_000;

interface Options {
  ns: number[];
  /** V8 old-space cap of each run, MB (0: V8's default for this machine). */
  heapMb: number;
  timeScale: string;
  seed?: string;
  json: boolean;
  artefact: boolean;
  iamN?: number;
}

const USAGE = `usage: npm run bench -- [--n 10,100,1000] [--time-scale auto|K] [--heap-mb MB] [--seed S] [--json] [--no-artefact]
  --n            active clusters per run, comma-separated (default 10,100,1000)
  --heap-mb      V8 old-space cap of each run (default ${LAMBDA_HEAP_MB}: what V8 gives the 1024 MB Lambda, with its ${LAMBDA_SEMI_SPACE_MB} MiB semi-spaces; the timing runs, which hold the simulated account too, get ${SIMULATOR_HEAP_MB} MB more; 0: V8's defaults here)
  --time-scale   K: idle waits (latencies, rate-limit refills, back-offs) run K times faster; CPU time counts 1:1
                 (default auto: K = lower bound / 10 s, between 1 and 200)
  --seed         PRNG seed of the simulated account (default derived from N)
  --json         print every figure as one JSON object
  --no-artefact  skip building and measuring the Lambda bundle`;

function parseOptions(argv: string[]): Options {
  const o: Options = { ns: [10, 100, 1000], heapMb: LAMBDA_HEAP_MB, timeScale: 'auto', json: false, artefact: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a ?? ''} needs a value`);
      return v;
    };
    switch (a) {
      case '--n':
        o.ns = value()
          .split(',')
          .map((s) => Number(s.trim()));
        if (o.ns.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--n takes positive integers, e.g. --n 10,100');
        break;
      case '--time-scale': {
        o.timeScale = value();
        if (o.timeScale !== 'auto' && !(Number(o.timeScale) > 0)) throw new Error('--time-scale takes "auto" or a positive number');
        break;
      }
      case '--heap-mb':
        o.heapMb = Number(value());
        if (!Number.isInteger(o.heapMb) || o.heapMb < 0) throw new Error('--heap-mb takes a whole number of MB (0: V8 default)');
        break;
      case '--seed':
        o.seed = value();
        break;
      case '--json':
        o.json = true;
        break;
      case '--iam-n': // the IAM-at-scale case (scripts/bench/iam-scale.ts); 0 skips it
        o.iamN = Number(value());
        break;
      case '--no-artefact':
        o.artefact = false;
        break;
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${a ?? ''}\n${USAGE}`);
    }
  }
  return o;
}

interface ChildEntry {
  /** Node arguments that start the child before its own flags. */
  args: string[];
  /** The same for the memory run's product process. */
  memoryArgs: string[];
  how: string;
  cleanup: () => void;
}

/**
 * The child runs as an esbuild bundle with the Lambda's options (scripts/esbuild-options.ts): its
 * memory is then the deployed product's, not the TypeScript loader's. Falls back to tsx when esbuild is unavailable.
 */
async function childEntry(): Promise<ChildEntry> {
  const dir = mkdtempSync(join(tmpdir(), 'emr-audit-bench-'));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const esbuild = await import('esbuild');
    const bundle = async (entry: string, name: string): Promise<string> => {
      const outfile = join(dir, name);
      await esbuild.build({
        ...NODE_BUNDLE_OPTIONS,
        entryPoints: [entry],
        outfile,
        // This machine's Node, not the Lambda's runtime; otherwise the deployed bundle's options.
        target: `node${process.versions.node.split('.')[0] ?? '20'}`,
        legalComments: 'none',
        logLevel: 'silent',
      });
      return outfile;
    };
    return { args: [await bundle(CHILD, 'child.mjs')], memoryArgs: [await bundle(MEMORY_CHILD, 'memory-child.mjs')], how: "esbuild bundle with the Lambda's options", cleanup };
  } catch (e) {
    return {
      args: [...process.execArgv, CHILD],
      memoryArgs: [...process.execArgv, MEMORY_CHILD],
      how: `tsx (bundling failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}; RSS includes the TypeScript loader)`,
      cleanup,
    };
  }
}

/** The V8 heap of a 1024 MB Lambda (see LAMBDA_HEAP_MB and LAMBDA_SEMI_SPACE_MB), plus `extraMb` of old space. */
function lambdaHeap(o: Options, extraMb = 0): string[] {
  return o.heapMb > 0 ? [`--max-old-space-size=${o.heapMb + extraMb}`, `--max-semi-space-size=${LAMBDA_SEMI_SPACE_MB}`] : [];
}


async function runChild(entry: ChildEntry, n: number, o: Options): Promise<ChildResult> {
  // --expose-gc: the child collects garbage before measuring the model's own heap.
  const heap = lambdaHeap(o, SIMULATOR_HEAP_MB);
  const args = ['--expose-gc', ...heap, ...entry.args, '--n', String(n), '--time-scale', o.timeScale, ...(o.seed ? ['--seed', o.seed] : [])];
  const run = await runWatched<ChildResult>({ args, env: LAMBDA_ENV, cwd: ROOT, label: `benchmark run N=${n}`, limitMs: CHILD_KILL_MS });
  const noise = run.stderr.trim();
  if (noise && !o.json) process.stderr.write(`(N=${n} stderr) ${noise.split('\n').slice(-5).join('\n')}\n`);
  return { ...run.result, realPhases: run.phases, realSeconds: run.seconds };
}

/**
 * The memory run of one N (see scripts/bench/memory-child.ts for why it is a run of its own): the
 * simulated account in one process, the product in another with the Lambda's heap cap; the
 * product's peak RSS is its own process's.
 */
async function runMemory(entry: ChildEntry, r: ChildResult, o: Options): Promise<MemoryRunResult> {
  const server = spawn(process.execPath, [...process.execArgv, SIM_SERVER, '--n', String(r.n), '--seed', String(r.seed)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let serverErr = '';
  server.stderr.on('data', (d: Buffer) => (serverErr += d.toString()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith(LISTENING_PREFIX));
        if (line) resolve(line.slice(LISTENING_PREFIX.length).trim());
      });
      server.on('exit', (code) => reject(new Error(`the simulator process exited with ${String(code)}: ${serverErr.trim().split('\n').slice(-5).join('\n')}`)));
    });
    const heap = lambdaHeap(o);
    const scale = Math.max(1, Math.min(MEMORY_MAX_SCALE, r.timeScale));
    const run = await runWatched<MemoryRunResult>({ args: [...heap, ...entry.memoryArgs, '--url', url, '--time-scale', String(scale)], env: LAMBDA_ENV, cwd: ROOT, label: `memory run N=${r.n}`, limitMs: CHILD_KILL_MS });
    return run.result;
  } finally {
    server.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const runs: ChildResult[] = [];
  const entry = await childEntry();
  const heapText = o.heapMb > 0 ? `V8 old space capped at ${o.heapMb} MB (timing runs, simulator in-process: ${o.heapMb + SIMULATOR_HEAP_MB} MB), semi-spaces at ${LAMBDA_SEMI_SPACE_MB} MiB, MALLOC_ARENA_MAX=${LAMBDA_ENV.MALLOC_ARENA_MAX}` : "V8's default heap for this machine";
  if (!o.json) process.stdout.write(`# emr-audit benchmark (Node ${process.version}; each N in a fresh process: ${entry.how}; ${heapText})\n${LEGEND}\n`);
  try {
    for (const n of o.ns) {
      if (!o.json) process.stderr.write(`running N=${n}…\n`);
      const r = await runChild(entry, n, o);
      if (!o.json) process.stderr.write(`memory run N=${n} (simulator and product in two processes)…\n`);
      try {
        r.memoryRun = await runMemory(entry, r, o);
      } catch (e) {
        r.memoryRunFailure = e instanceof Error ? e.message : String(e);
      }
      runs.push(r);
      if (!o.json) process.stdout.write(`${renderRun(r)}\n${renderFleet(r)}\n`);
    }
  } finally {
    entry.cleanup();
  }
  const iamN = o.iamN ?? IAM_SCALE_DEFAULT_N;
  if (iamN > 0 && !o.json) process.stdout.write(`${renderIamScale(await runIamScale(iamN))}\n`);
  let artefact: ArtefactResult | undefined;
  if (o.artefact) {
    if (!o.json) process.stderr.write('building and measuring the Lambda bundle…\n');
    artefact = measureArtefact(ROOT);
    if (!o.json) process.stdout.write(`${renderArtefact(artefact)}\n`);
  }
  // Change-triggered audits (issue 25): one change of each kind and a burst, from a full run's state.
  if (!o.json) process.stderr.write('change-triggered audits…\n');
  const { measureChangeEvents, renderChangeEvents } = await import('./bench/change-events.js');
  const changeEvents = [];
  for (const n of o.ns) changeEvents.push(await measureChangeEvents(n));
  if (!o.json) process.stdout.write(`${renderChangeEvents(changeEvents)}\n`);
  const totalSeconds = (performance.now() - started) / 1000;
  if (o.json) {
    const summary = runs.map((r) => {
      const t = totals(r);
      return { n: r.n, calls: t.calls, minimum: t.minimum, naive: t.naive, callRatio: t.minimum ? t.calls / t.minimum : null, timeRatio: r.bound.seconds ? r.wall.modelSeconds / r.bound.seconds : null };
    });
    process.stdout.write(`${JSON.stringify({ node: process.version, childRuntime: entry.how, heapMb: o.heapMb, totalSeconds, summary, runs, artefact: artefact ?? null, changeEvents }, null, 2)}\n`);
  } else {
    process.stdout.write(`whole benchmark: ${totalSeconds.toFixed(1)} s\n`);
  }
  // A warm run whose results differ from a fresh full audit is a failed benchmark.
  const unequal = runs.filter((r) => r.fleet?.some((f) => f.equalsFullAudit === false));
  if (unequal.length > 0) {
    process.stderr.write(`benchmark FAILED: the warm run's results differ from a fresh full audit at N = ${unequal.map((r) => r.n).join(', ')}\n`);
    process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
