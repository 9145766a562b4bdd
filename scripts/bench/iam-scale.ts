/**
 * Benchmark case "IAM at scale": a snapshot of N clusters (default 5,000), each with its own
 * instance profile and role, every role holding three managed policies from a pool of 1,500
 * distinct documents and one inline policy of its own — real-sized documents (scripts/bench/
 * policies.ts, sized like the AWS managed policies). A full `emr-audit scan --snapshot` of it runs
 * in a child process as the installed command runs it (the CLI bundled with the Lambda's esbuild
 * options, its heap policy, MALLOC_ARENA_MAX=2), which reports its peak RSS and CPU seconds:
 * three times (highest RSS, median CPU), then once with V8's own heap growth and once with the old
 * generation bounded, for comparison. Targets (issue 21): ≤ 400 MB peak RSS and ≤ 15 s CPU.
 *   node --import tsx scripts/bench/iam-scale.ts [--n 5000]
 * `npm run bench` runs it after the fleet runs (`--iam-n N` to change N, `--iam-n 0` to skip).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleCli } from '../build-cli.js';
import { generatedPolicy, POLICY_POOL_SIZE } from './policies.js';
import { createRng } from './rng.js';

export const IAM_SCALE_TARGETS = { peakRssMb: 400, cpuSeconds: 15 } as const;
export const IAM_SCALE_DEFAULT_N = 5000;

export interface IamScaleRun {
  peakRssMb: number;
  cpuSeconds: number;
  wallSeconds: number;
  /**
   * The heap still reachable once the scan has returned (after a full collection): what module-level
   * caches keep. Small and the same at any N when no cache grows with the run.
   */
  heapLeftMb: number;
}

/** Scans measured as the CLI runs: CPU varies by a second or two between runs on a shared machine. */
export const IAM_SCALE_RUNS = 3;

export interface IamScaleResult {
  n: number;
  distinctPolicies: number;
  snapshotMb: number;
  /** The highest of the runs as the CLI runs. */
  peakRssMb: number;
  /** The median of the runs as the CLI runs, and their range. */
  cpuSeconds: number;
  cpuRange: [number, number];
  wallSeconds: number;
  heapLeftMb: number;
  /** One run with V8's own heap growth instead of the CLI's policy (cli/heap-policy.ts), for comparison. */
  v8Growth: IamScaleRun;
  /** The same scan with the old generation bounded (`--max-old-space-size`), as a memory-limited host runs it. */
  bounded: IamScaleRun & { maxOldSpaceMb: number };
  /** Results of the iam checks by status, to see the case exercises every verdict. */
  iamStatuses: Record<string, number>;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ACCOUNT = '123456789012';

interface DemoRegion {
  clusters: Array<Record<string, unknown> & { ec2: Record<string, unknown> }>;
  instanceProfiles: Record<string, unknown>;
  roles: Record<string, unknown>;
  managedPolicies: Record<string, unknown>;
  [key: string]: unknown;
}

/** The demo account's first region with N clusters of their own roles in place of its clusters. */
export function iamScaleSnapshot(n: number, seed = 21): { snapshot: unknown; distinctPolicies: number } {
  const demo = JSON.parse(readFileSync(join(ROOT, 'examples', 'demo-account.json'), 'utf8')) as { regions: DemoRegion[] } & Record<string, unknown>;
  const region = demo.regions[0]!;
  const template = region.clusters[0]!;
  const rng = createRng(seed);
  const pool = Array.from({ length: POLICY_POOL_SIZE }, (_, i) => {
    const arn = i % 3 === 0 ? `arn:aws:iam::aws:policy/BenchManaged${i}` : `arn:aws:iam::${ACCOUNT}:policy/bench-${i}`;
    return { arn, name: arn.slice(arn.lastIndexOf('/') + 1), defaultVersionId: 'v1', document: generatedPolicy(rng) };
  });
  const clusters: unknown[] = [];
  const instanceProfiles: Record<string, unknown> = {};
  const roles: Record<string, unknown> = {};
  for (let i = 0; i < n; i += 1) {
    const name = `iam-scale-${i}`;
    const attached = new Set<string>();
    while (attached.size < 3) attached.add(pool[rng.skewed(pool.length, 0.6)]!.arn);
    clusters.push({ ...template, id: `j-IAMSCALE${String(i).padStart(6, '0')}`, name, ec2: { ...template.ec2, instanceProfile: name } });
    instanceProfiles[name] = { ref: name, name, arn: `arn:aws:iam::${ACCOUNT}:instance-profile/${name}`, roleNames: [name] };
    roles[name] = { name, arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, attachedPolicyArns: [...attached], inlinePolicies: [{ name: 'jobs', document: generatedPolicy(rng) }] };
  }
  const managedPolicies: Record<string, unknown> = { ...region.managedPolicies };
  for (const p of pool) managedPolicies[p.arn] = p;
  const regionOut = { ...region, clusters, instanceProfiles, roles, managedPolicies };
  return { snapshot: { ...demo, regions: [regionOut] }, distinctPolicies: pool.length + n };
}

interface ChildReport {
  code: number;
  maxRssKb: number;
  cpuSeconds: number;
  heapLeftMb: number;
  statuses: Record<string, number>;
  errors: string;
}

/** The old-generation bound of the second run: the working set must fit in it with room to spare. */
export const BOUNDED_OLD_SPACE_MB = 320;

/**
 * The child: runs the bundled CLI on the snapshot as bin/emr-audit.js does (its heap policy, then
 * main; V8's own heap growth with IAM_SCALE_V8_GROWTH set), output discarded, then prints its own
 * resource usage.
 */
const RUNNER = `
import { main, useCliHeapPolicy } from './main.mjs';
if (!process.env.IAM_SCALE_V8_GROWTH) useCliHeapPolicy();
const sink = { write: () => true };
let errors = '';
const err = { write: (text) => { errors = (errors + text).slice(-2000); return true; } };
let statuses = {};
// The report arrives in pieces: a short carry keeps a checkId and its status together. Plain
// indexOf, not a regular expression: this process's CPU is what is measured.
let carry = '';
const KEY = '"checkId": "iam/';
const STATUS = '"status": "';
const out = { write: (text) => {
  const t = carry + text;
  let at = 0;
  for (;;) {
    const k = t.indexOf(KEY, at);
    const s = k < 0 ? -1 : t.indexOf(STATUS, k);
    const q = s < 0 ? -1 : t.indexOf('"', s + STATUS.length);
    if (q < 0) break;
    const status = t.slice(s + STATUS.length, q);
    statuses[status] = (statuses[status] ?? 0) + 1;
    at = q + 1;
  }
  carry = t.slice(Math.max(at, t.length - 200));
  return true;
} };
const code = await main(process.argv.slice(2), { stdout: out, stderr: err, env: process.env, stdoutIsTTY: false, stderrIsTTY: false, columns: 120 });
const u = process.resourceUsage();
// Measured after the usage above, so the collection's own time is not counted.
globalThis.gc();
const heapLeftMb = process.memoryUsage().heapUsed / 1048576;
process.stdout.write(JSON.stringify({ code, maxRssKb: u.maxRSS, cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6, heapLeftMb, statuses, errors }) + '\\n');
`;

export async function runIamScale(n: number = IAM_SCALE_DEFAULT_N): Promise<IamScaleResult> {
  const dir = mkdtempSync(join(tmpdir(), 'emr-audit-iam-scale-'));
  try {
    const { snapshot, distinctPolicies } = iamScaleSnapshot(n);
    const text = JSON.stringify(snapshot);
    const file = join(dir, 'snapshot.json');
    writeFileSync(file, text);
    const cli = join(dir, 'cli');
    await bundleCli(cli);
    writeFileSync(join(cli, 'run.mjs'), RUNNER);
    // The bundle reads its version from ../package.json, as when packed: without it the scan fails
    // at its output (exit 3) after the evaluation, and no result is seen.
    copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    const run = async (nodeFlags: readonly string[], extraEnv: Record<string, string> = {}): Promise<{ report: ChildReport; wallSeconds: number }> => {
      const started = performance.now();
      const report = await new Promise<ChildReport>((done, fail) => {
        const child = spawn(process.execPath, [...nodeFlags, '--expose-gc', join(cli, 'run.mjs'), 'scan', '--snapshot', file, '--format', 'json'], {
          cwd: ROOT,
          env: { ...process.env, MALLOC_ARENA_MAX: '2', ...extraEnv },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code) => {
          const line = stdout.trim().split('\n').pop() ?? '';
          try {
            done(JSON.parse(line) as ChildReport);
          } catch {
            fail(new Error(`iam-scale child failed (exit ${code}): ${stderr.slice(-2000)}`));
          }
        });
      });
      // 0 and 1 (findings) are a completed scan; anything else measured a run that did not finish.
      if (report.code !== 0 && report.code !== 1) throw new Error(`iam-scale: the scan exited ${report.code}: ${report.errors.trim()}`);
      return { report, wallSeconds: (performance.now() - started) / 1000 };
    };
    const asShipped: Awaited<ReturnType<typeof run>>[] = [];
    for (let i = 0; i < IAM_SCALE_RUNS; i += 1) asShipped.push(await run([]));
    const byCpu = [...asShipped].sort((a, b) => a.report.cpuSeconds - b.report.cpuSeconds);
    const median = byCpu[Math.floor(byCpu.length / 2)]!;
    const v8Growth = await run([], { IAM_SCALE_V8_GROWTH: '1' });
    const bounded = await run([`--max-old-space-size=${BOUNDED_OLD_SPACE_MB}`]);
    return {
      n,
      distinctPolicies,
      snapshotMb: text.length / 1e6,
      peakRssMb: Math.max(...asShipped.map((r) => r.report.maxRssKb)) / 1024,
      cpuSeconds: median.report.cpuSeconds,
      cpuRange: [byCpu[0]!.report.cpuSeconds, byCpu[byCpu.length - 1]!.report.cpuSeconds],
      wallSeconds: median.wallSeconds,
      heapLeftMb: median.report.heapLeftMb,
      v8Growth: { peakRssMb: v8Growth.report.maxRssKb / 1024, cpuSeconds: v8Growth.report.cpuSeconds, wallSeconds: v8Growth.wallSeconds, heapLeftMb: v8Growth.report.heapLeftMb },
      bounded: {
        maxOldSpaceMb: BOUNDED_OLD_SPACE_MB,
        peakRssMb: bounded.report.maxRssKb / 1024,
        cpuSeconds: bounded.report.cpuSeconds,
        wallSeconds: bounded.wallSeconds,
        heapLeftMb: bounded.report.heapLeftMb,
      },
      iamStatuses: median.report.statuses,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function renderIamScale(r: IamScaleResult): string {
  const ok = (value: number, target: number): string => (value <= target ? 'within target' : `OVER the ${target} target`);
  return [
    `## IAM at scale: full scan --snapshot of ${r.n} clusters, each with its own role (${r.distinctPolicies} distinct policy documents, snapshot ${r.snapshotMb.toFixed(1)} MB)`,
    `as the CLI runs (${IAM_SCALE_RUNS} runs): peak RSS ${r.peakRssMb.toFixed(0)} MB, highest (${ok(r.peakRssMb, IAM_SCALE_TARGETS.peakRssMb)}), CPU ${r.cpuSeconds.toFixed(1)} s, median of ${r.cpuRange[0].toFixed(1)}–${r.cpuRange[1].toFixed(1)} s (${ok(r.cpuSeconds, IAM_SCALE_TARGETS.cpuSeconds)}), wall ${r.wallSeconds.toFixed(1)} s, heap left once the scan returned ${r.heapLeftMb.toFixed(0)} MB`,
    // Without the CLI's heap policy V8 lets the old generation grow to up to four times what is live
    // before it collects, when memory is plentiful; the bounded run shows what the scan needs where it is not.
    `with V8's own heap growth (for comparison, not the shipped CLI): peak RSS ${r.v8Growth.peakRssMb.toFixed(0)} MB, CPU ${r.v8Growth.cpuSeconds.toFixed(1)} s, wall ${r.v8Growth.wallSeconds.toFixed(1)} s`,
    `old generation bounded at ${r.bounded.maxOldSpaceMb} MB (--max-old-space-size): peak RSS ${r.bounded.peakRssMb.toFixed(0)} MB (${ok(r.bounded.peakRssMb, IAM_SCALE_TARGETS.peakRssMb)}), CPU ${r.bounded.cpuSeconds.toFixed(1)} s (${ok(r.bounded.cpuSeconds, IAM_SCALE_TARGETS.cpuSeconds)}), wall ${r.bounded.wallSeconds.toFixed(1)} s`,
    `iam check results: ${Object.entries(r.iamStatuses).map(([s, c]) => `${s} ${c}`).join(', ')}`,
  ].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--n');
  const n = at >= 0 ? Number(process.argv[at + 1]) : IAM_SCALE_DEFAULT_N;
  const r = await runIamScale(n);
  process.stdout.write(`${renderIamScale(r)}\n`);
}
