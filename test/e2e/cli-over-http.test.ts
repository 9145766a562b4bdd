/**
 * The real `emr-audit` command, as a child process, against the benchmark's simulated account
 * served over HTTP on 127.0.0.1 (AWS_ENDPOINT_URL): endpoint overrides for every service, the
 * SDK's serialisers, signing, the Node HTTP handler and parsers, and the CLI's exit codes and
 * stdout. The reference is the same account collected in-process through the simulator
 * middleware: going over HTTP must change nothing.
 */
import { systemClock } from '../../lib/clock.js';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Result } from '../../checks/contract.js';
import { CHECKS } from '../../checks/index.js';
import { createAwsClients } from '../../lib/aws/clients.js';
import { collectSnapshot } from '../../lib/collect/index.js';
import { evaluateSnapshot } from '../../lib/evaluate.js';
import { loadSettings } from '../../lib/settings.js';
import { Snapshot } from '../../lib/snapshot.js';
import { ACTIVE_STATES, SECRET_MARKERS, buildAccount } from '../../scripts/bench/account.js';
import { activeClusters, nameFromRef } from '../../scripts/bench/expected.js';
import { startHttpEndpoint, type HttpEndpoint, type Interceptor, type ReceivedRequest } from '../../scripts/bench/http-endpoint.js';
import { API_SPECS, type ApiSpec } from '../../scripts/bench/limits.js';
import { Simulator } from '../../scripts/bench/simulator.js';
import { queryError } from '../../scripts/bench/wire.js';
import { isolatedEnv, parseReport, runCliProcess, type IsolatedEnv, type JsonReport } from './cli-process.js';

// Not us-east-1: a client that fell back to the SDK's default region would show.
const REGION = 'eu-west-1';
const account = buildAccount({ n: 6, seed: 0xe2e, region: REGION });
const active = activeClusters(account);
const terminated = account.clusters.filter((c) => !ACTIVE_STATES.includes(c.state));
/** Rate limits off and no latency: this test is about the wire, not pacing. */
const UNLIMITED: ApiSpec[] = API_SPECS.map((s) => ({ ...s, burst: Infinity, rate: Infinity }));
const newSimulator = (): Simulator => new Simulator({ account, latencyScale: 0, specs: UNLIMITED, sharedBuckets: [] });

type Verdicted = Pick<Result, 'region' | 'clusterId' | 'checkId' | 'status'>;
/** What the audit concluded, without the wording (messages carry run-relative times). */
const verdicts = (results: readonly Verdicted[]): string[] => results.map((r) => `${r.region} ${r.clusterId ?? '-'} ${r.checkId} ${r.status}`).sort();

const environments: IsolatedEnv[] = [];
const endpoints: HttpEndpoint[] = [];
function envFor(endpointUrl: string | undefined, extra?: Record<string, string>): Record<string, string> {
  const isolated = isolatedEnv(REGION, endpointUrl, extra);
  environments.push(isolated);
  return isolated.env;
}
async function endpoint(intercept?: Interceptor): Promise<HttpEndpoint> {
  const ep = await startHttpEndpoint({ simulator: newSimulator(), ...(intercept ? { intercept } : {}) });
  endpoints.push(ep);
  return ep;
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const idsOf = (requests: readonly ReceivedRequest[], operation: string, prefix: string): string[] =>
  [...new Set(requests.filter((r) => r.operation === operation).flatMap((r) => Object.entries(r.parameters).filter(([k]) => new RegExp(`^${prefix}\\.\\d+$`).test(k)).map(([, v]) => String(v))))].sort();

let baseline: { snapshot: Snapshot; results: Result[] };

beforeAll(async () => {
  // The CLI without EMR_AUDIT_* variables runs with the default settings and every check.
  const settings = loadSettings({});
  const clients = newSimulator().instrument(createAwsClients({ maxAttempts: settings.maxAttempts, homeRegion: REGION }));
  const snapshot = await collectSnapshot({ regions: [REGION], settings, clients, checks: CHECKS, clock: systemClock, run: { trigger: 'cli' } });
  baseline = { snapshot, results: evaluateSnapshot(snapshot, { checks: CHECKS, settings }) };
});

afterAll(async () => {
  await Promise.all(endpoints.splice(0).map((ep) => ep.close()));
  for (const e of environments.splice(0)) e.cleanup();
});

// Each run is ~2 s alone; the margin is for a loaded machine (the whole suite in parallel).
describe.concurrent('emr-audit over HTTP against the simulated account', { timeout: 100_000 }, () => {
  it('scan --format json: every active cluster, no terminated one, no collection error, the in-process verdicts', async ({ expect }) => {
    expect(baseline.snapshot.regions[0]?.errors).toEqual([]);
    const ep = await endpoint();
    const run = await runCliProcess(['scan', '--region', REGION, '--format', 'json'], envFor(ep.url));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = parseReport(run.stdout);

    expect(report.summary.accountId).toBe(account.accountId);
    expect(report.summary.regions).toEqual([REGION]);
    expect(report.summary.errors).toEqual([]);
    expect(report.summary.counts.ERROR).toBe(0);
    expect(report.summary.clustersAudited).toBe(active.length);
    const clusterIds = new Set(report.results.flatMap((r) => r.clusterId ?? []));
    expect([...clusterIds].sort()).toEqual(active.map((c) => c.id).sort());
    expect(terminated.length).toBeGreaterThan(0);
    for (const c of terminated) expect(run.stdout).not.toContain(c.id);
    for (const marker of SECRET_MARKERS) expect(run.stdout + run.stderr).not.toContain(marker);
    // The planted metastore password is reported by name (secrets/plaintext-in-configurations), never by value.
    const plaintext = report.results.filter((r) => r.checkId === 'secrets/plaintext-in-configurations' && r.status === 'FAIL');
    expect(plaintext.length).toBeGreaterThan(0);
    for (const r of plaintext) expect(r.message).toContain('javax.jdo.option.ConnectionPassword in hive-site');
    expect(verdicts(report.results)).toEqual(verdicts(baseline.results));

    // Every service went over the wire, signed for its own name, and succeeded; the regional ones
    // signed for the audited region (IAM and STS are global: their region is the SDK's business).
    const requests = ep.requests();
    expect(new Set(requests.map((r) => r.service))).toEqual(new Set(['emr', 'ec2', 'iam', 'ssm', 'sts']));
    expect(new Set(requests.map((r) => r.signingName))).toEqual(new Set(['elasticmapreduce', 'ec2', 'iam', 'ssm', 'sts']));
    expect(requests.filter((r) => r.statusCode !== 200)).toEqual([]);
    expect(requests.filter((r) => ['emr', 'ec2', 'ssm'].includes(r.service ?? '') && r.signingRegion !== REGION)).toEqual([]);
  });

  it('collect --out FILE over HTTP equals the in-process snapshot; scan --snapshot FILE gives the same results offline', async ({ expect }) => {
    const ep = await endpoint();
    const env = envFor(ep.url);
    const file = join(env['HOME'] ?? '', 'snapshot.json');
    const collected = await runCliProcess(['collect', '--region', REGION, '--out', file], env);
    expect(collected.code).toBe(0);
    expect(collected.stdout).toBe('');
    expect(collected.stderr).toContain(`Saved ${active.length} clusters in 1 region to ${file}.`);
    const text = readFileSync(file, 'utf8');
    for (const marker of SECRET_MARKERS) expect(text + collected.stderr).not.toContain(marker);
    // Of Configurations only the names of literal credentials are kept.
    expect(text).toContain('"property": "javax.jdo.option.ConnectionPassword"');
    const snapshot = Snapshot.parse(JSON.parse(text));
    // Byte for byte the same data as the in-process collection, apart from when it ran.
    expect({ ...snapshot, collectedAt: '' }).toEqual({ ...baseline.snapshot, collectedAt: '' });

    // The query protocols carried the id lists (GroupId.N, InstanceId.N), and SSM its filter.
    const region = snapshot.regions[0];
    const requests = ep.requests();
    expect(idsOf(requests, 'DescribeSecurityGroups', 'GroupId')).toEqual(Object.keys(region?.securityGroups ?? {}).sort());
    // Nodes come from DescribeInstances by EMR's system tag, never by id list (every node is tagged).
    expect(idsOf(requests, 'DescribeInstances', 'InstanceId')).toEqual([]);
    const nodeQueries = requests.filter((r) => r.operation === 'DescribeInstances');
    expect(nodeQueries.length).toBeGreaterThan(0);
    for (const q of nodeQueries) {
      const p = Object.fromEntries(Object.entries(q.parameters).map(([k, v]) => [k, String(v)]));
      expect(p).toMatchObject({ 'Filter.1.Name': 'tag-key', 'Filter.1.Value.1': 'aws:elasticmapreduce:job-flow-id', 'Filter.2.Name': 'instance-state-name', MaxResults: '1000' });
    }
    expect(region?.collection?.nodeFallbacks).toEqual([]);
    expect(Object.keys(region?.ec2Instances ?? {}).length).toBeGreaterThan(0);
    const ssmFilters = requests.filter((r) => r.operation === 'DescribeInstanceInformation').flatMap((r) => r.parameters['Filters'] ?? []);
    expect(ssmFilters).not.toEqual([]);

    const before = ep.requests().length;
    const offline = await runCliProcess(['scan', '--snapshot', file, '--format', 'json', '--fail-on', 'HIGH'], env);
    const report = parseReport(offline.stdout);
    // --fail-on is the only way to exit 1: this account has HIGH findings.
    const high = report.results.filter((r) => r.status === 'FAIL' && (r.severity === 'HIGH' || r.severity === 'CRITICAL'));
    expect(high.length).toBeGreaterThan(0);
    expect(offline.code).toBe(1);
    expect(offline.stderr).toBe(`emr-audit: ${high.length} FAIL results at or above HIGH (--fail-on HIGH)\n`);
    expect(verdicts(report.results)).toEqual(verdicts(baseline.results));
    expect(ep.requests()).toHaveLength(before);
  });

  it('an IAM AccessDenied on one role makes its clusters IAM checks ERROR, names the denial, and still exits 0', async ({ expect }) => {
    const roleOf = (c: (typeof active)[number]): string | undefined => account.instanceProfiles.get(nameFromRef(c.instanceProfileRef))?.roleNames[0];
    const deniedRole = roleOf(active[0]!);
    const denied = active.filter((c) => roleOf(c) === deniedRole).map((c) => c.id);
    // The test needs clusters on both sides of the denial.
    expect(deniedRole).toBeDefined();
    expect(denied.length).toBeLessThan(active.length);

    const deny: Interceptor = (service, request) => {
      if (service !== 'iam' || request.form.get('RoleName') !== deniedRole) return undefined;
      const action = `iam:${request.operation}`;
      return queryError('iam', 403, 'AccessDenied', `User: arn:aws:sts::${account.accountId}:assumed-role/emr-audit/e2e is not authorized to perform: ${action} on resource: role ${deniedRole ?? ''} because no identity-based policy allows the ${action} action`);
    };
    const ep = await endpoint(deny);
    const run = await runCliProcess(['scan', '--region', REGION, '--format', 'json'], envFor(ep.url));
    expect(run.code).toBe(0);
    const report = parseReport(run.stdout);
    expect(ep.requests().some((r) => r.errorCode === 'AccessDenied')).toBe(true);
    expect(report.summary.errors.length).toBeGreaterThan(0);
    for (const line of report.summary.errors) expect(line).toMatch(/AccessDenied/);

    const profileChecks = report.results.filter((r) => r.checkId.startsWith('iam/instance-profile-') && r.clusterId !== null && denied.includes(r.clusterId));
    expect(profileChecks.length).toBe(denied.length * CHECKS.filter((c) => c.id.startsWith('iam/instance-profile-')).length);
    for (const r of profileChecks) {
      expect(r.status).toBe('ERROR');
      expect(r.message).toContain('AccessDenied');
    }
    // Nothing else moved: every other verdict is the baseline's, and no ERROR outside the denied clusters.
    expect(report.results).toHaveLength(baseline.results.length);
    expect(diff(report, baseline.results)).toEqual(verdicts(profileChecks));
  });

  it('EC2 pointed at a closed port (AWS_ENDPOINT_URL_EC2): EC2-based checks ERROR with the reason, the rest unchanged, exit 0', async ({ expect }) => {
    const ep = await endpoint();
    const port = await closedPort();
    const run = await runCliProcess(['scan', '--region', REGION, '--format', 'json'], envFor(ep.url, { AWS_ENDPOINT_URL_EC2: `http://127.0.0.1:${port}`, EMR_AUDIT_MAX_ATTEMPTS: '1' }));
    expect(run.code).toBe(0);
    const report = parseReport(run.stdout);
    expect(ep.requests().filter((r) => r.service === 'ec2')).toEqual([]);
    expect(report.summary.errors.length).toBeGreaterThan(0);
    for (const line of report.summary.errors) expect(line).toMatch(/ec2:Describe(SecurityGroups|Instances) .*ECONNREFUSED/);
    const errors = report.results.filter((r) => r.status === 'ERROR');
    expect(errors.length).toBeGreaterThan(0);
    for (const r of errors) expect(r.message).toContain('ECONNREFUSED');
    // Missing data is never a PASS or a different FAIL: every non-ERROR verdict is the baseline's.
    expect(report.results).toHaveLength(baseline.results.length);
    expect(diff(report, baseline.results).every((v) => v.endsWith(' ERROR'))).toBe(true);
    // Only the checks that read security groups or EC2 instances lost their data (the exposure
    // checks read EC2's public addresses: Elastic IPs, IPv6).
    expect(new Set(errors.map((r) => r.checkId.split('/')[0]))).toEqual(new Set(['network', 'exposure', 'instance']));
  });

  it('every service pointed at a closed port: exit 3 with a one-line reason and nothing on stdout', async ({ expect }) => {
    const port = await closedPort();
    const run = await runCliProcess(['scan', '--region', REGION, '--format', 'json'], envFor(`http://127.0.0.1:${port}`, { EMR_AUDIT_MAX_ATTEMPTS: '1' }));
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^emr-audit: the audit could not run: Cannot identify the AWS account \(sts:GetCallerIdentity .*ECONNREFUSED.*\)\. Check the AWS credentials and region\.\n$/);
  });
});

/** Verdicts of `report` that the baseline does not have. */
function diff(report: JsonReport, expected: readonly Result[]): string[] {
  const base = new Set(verdicts(expected));
  return verdicts(report.results).filter((v) => !base.has(v));
}
