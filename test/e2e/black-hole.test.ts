/**
 * `emr-audit scan` against endpoints that accept connections and never answer (issue 14, defect
 * 1): before the client timeouts it printed nothing for minutes. It must end within the configured
 * timeouts × attempts, with the stalled calls named, and exit 3 (the audit could not run).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAccount } from '../../scripts/bench/account.js';
import { startHttpEndpoint, type HttpEndpoint } from '../../scripts/bench/http-endpoint.js';
import { API_SPECS } from '../../scripts/bench/limits.js';
import { Simulator } from '../../scripts/bench/simulator.js';
import { isolatedEnv, parseReport, runCliProcess, type IsolatedEnv } from './cli-process.js';

const REGION = 'eu-west-1';
const REQUEST_TIMEOUT_MS = 300;
const ATTEMPTS = 2;
/** Node start-up and module loading of a child process on a busy two-core machine. */
const PROCESS_SLACK_MS = 12_000;
const TIMEOUTS = { EMR_AUDIT_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), EMR_AUDIT_CONNECT_TIMEOUT_MS: '300', EMR_AUDIT_MAX_ATTEMPTS: String(ATTEMPTS) };

const sockets = new Set<Socket>();
const blackHole: Server = createServer((socket) => {
  sockets.add(socket);
  socket.on('error', () => undefined);
});
let blackHoleUrl = '';
let sts: HttpEndpoint;
const environments: IsolatedEnv[] = [];

beforeAll(async () => {
  await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  blackHoleUrl = `http://127.0.0.1:${(blackHole.address() as { port: number }).port}`;
  const account = buildAccount({ n: 1, seed: 14, region: REGION });
  sts = await startHttpEndpoint({ simulator: new Simulator({ account, latencyScale: 0, specs: API_SPECS.map((s) => ({ ...s, burst: Infinity, rate: Infinity })), sharedBuckets: [] }) });
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => blackHole.close(() => resolve()));
  await sts.close();
  for (const e of environments.splice(0)) e.cleanup();
});

function env(extra: Record<string, string>): Record<string, string> {
  const isolated = isolatedEnv(REGION, blackHoleUrl, { ...TIMEOUTS, ...extra });
  environments.push(isolated);
  return isolated.env;
}

describe('scan against a black hole', () => {
  it('every endpoint stalls: the account lookup fails by its timeout and the run exits 3', async () => {
    const started = performance.now();
    const run = await runCliProcess(['scan', '--format', 'json'], env({}));
    const elapsed = performance.now() - started;
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/sts:GetCallerIdentity ETIMEDOUT/);
    expect(run.stderr).toMatch(/after 2 attempts/);
    expect(elapsed).toBeLessThan(ATTEMPTS * REQUEST_TIMEOUT_MS + PROCESS_SLACK_MS);
  });

  it('the account answers, EMR and the rest stall: ERROR results naming the calls, exit 3', async () => {
    const started = performance.now();
    const run = await runCliProcess(['scan', '--format', 'json'], env({ AWS_ENDPOINT_URL_STS: sts.url }));
    const elapsed = performance.now() - started;
    expect(run.code).toBe(3);
    const report = parseReport(run.stdout);
    expect(report.results.length).toBeGreaterThan(0);
    expect(report.results.every((r) => r.status === 'ERROR')).toBe(true);
    expect(report.results[0]?.message).toMatch(/elasticmapreduce:ListClusters ETIMEDOUT/);
    expect(report.summary.errors.join('\n')).toMatch(/elasticmapreduce:ListClusters ETIMEDOUT/);
    expect(run.stderr).toMatch(/every region failed/);
    expect(elapsed).toBeLessThan(ATTEMPTS * REQUEST_TIMEOUT_MS + PROCESS_SLACK_MS);
  });
});
