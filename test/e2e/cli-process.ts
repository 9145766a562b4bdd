/**
 * Runs the real `emr-audit` command (bin/emr-audit.js) as a child process with an environment
 * built from scratch: dummy credentials, a temporary HOME (no ~/.aws is read), no AWS_PROFILE,
 * no instance metadata — nothing but what the test passes can point the SDK anywhere.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(REPO_ROOT, 'bin/emr-audit.js');
/** A run that has not ended by then is a hung client: kill it rather than hang the suite. */
// Seconds alone; generous because a loaded shared machine can slow five concurrent CLI processes a lot.
const RUN_TIMEOUT_MS = 90_000;

export interface ProcessRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface IsolatedEnv {
  home: string;
  env: Record<string, string>;
  /** Removes the temporary HOME. */
  cleanup(): void;
}

function timeFakingEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && /^(LD_PRELOAD|FAKETIME\w*|DONT_FAKE_MONOTONIC)$/.test(e[0])));
}

/** The environment of one CLI run against `endpointUrl` (plus `extra`, e.g. a per-service override). */
export function isolatedEnv(region: string, endpointUrl: string | undefined, extra: Record<string, string> = {}): IsolatedEnv {
  const home = mkdtempSync(join(tmpdir(), 'emr-audit-e2e-home-'));
  const env: Record<string, string> = {
    HOME: home,
    AWS_ACCESS_KEY_ID: 'AKIAEMRAUDITE2E00000',
    AWS_SECRET_ACCESS_KEY: 'e2e-not-a-real-secret-key',
    AWS_REGION: region,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...(endpointUrl ? { AWS_ENDPOINT_URL: endpointUrl } : {}),
    // The child shares the machine's clock: when the suite runs under faketime (CI runs it a year
    // ahead), so must the CLI it starts, or the two disagree about which nodes are overdue.
    ...timeFakingEnv(),
    ...extra,
  };
  return { home, env, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

export function runCliProcess(args: readonly string[], env: Record<string, string>): Promise<ProcessRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

const Status = z.enum(['PASS', 'FAIL', 'NOT_APPLICABLE', 'ERROR', 'SUPPRESSED']);

/** `--format json` as the public contract (DESIGN.md) describes it; extra fields are allowed. */
export const JsonReport = z.object({
  results: z.array(
    z.object({
      checkId: z.string().min(1),
      status: Status,
      severity: z.enum(['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']),
      region: z.string().min(1),
      accountId: z.string().regex(/^\d{12}$/),
      clusterId: z.string().nullable(),
      clusterName: z.string().nullable(),
      title: z.string().min(1),
      message: z.string().min(1),
      resources: z.array(z.string()),
    }),
  ),
  summary: z.object({
    accountId: z.string(),
    regions: z.array(z.string()),
    collectedAt: z.string(),
    clustersAudited: z.number().int(),
    counts: z.record(Status, z.number().int()),
    errors: z.array(z.string()),
  }),
});
export type JsonReport = z.infer<typeof JsonReport>;

/** stdout must be exactly one JSON object (nothing before or after it). */
export function parseReport(stdout: string): JsonReport {
  return JsonReport.parse(JSON.parse(stdout));
}
