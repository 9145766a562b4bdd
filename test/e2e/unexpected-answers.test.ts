/**
 * Issue 22's "Done when": with an endpoint answering HTML 200 on any single operation, no result is
 * PASS where a clean run says FAIL or ERROR. The benchmark's simulated account over loopback HTTP
 * (the real SDK clients of lib/aws/clients.ts, AWS_ENDPOINT_URL), one collection per operation the
 * collectors call, each with that operation's every answer replaced by a captive portal's page.
 * Without lib/aws/answers.ts the page on iam:ListAttachedRolePolicies alone turned 12 FAILs of this
 * account (deprecated-policy, wildcard-data-access, service-role) into PASSes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../checks/contract.js';
import { CHECKS } from '../../checks/index.js';
import { ANSWER_MEMBERS } from '../../lib/aws/answers.js';
import { createAwsClients } from '../../lib/aws/clients.js';
import { systemClock } from '../../lib/clock.js';
import { clearPolicyVersionCache } from '../../lib/collect/iam.js';
import { collectSnapshot } from '../../lib/collect/index.js';
import { evaluateSnapshot } from '../../lib/evaluate.js';
import { loadSettings } from '../../lib/settings.js';
import { buildAccount } from '../../scripts/bench/account.js';
import { startHttpEndpoint, type HttpEndpoint, type Interceptor } from '../../scripts/bench/http-endpoint.js';
import { API_SPECS, type ApiSpec, type Service } from '../../scripts/bench/limits.js';
import { Simulator } from '../../scripts/bench/simulator.js';

const REGION = 'eu-west-1';
const account = buildAccount({ n: 6, seed: 0xe2e, region: REGION });
const UNLIMITED: ApiSpec[] = API_SPECS.map((s) => ({ ...s, burst: Infinity, rate: Infinity }));
// Well-formed (as XML): the page the SDK's XML parser reads without complaint, as an empty result.
const PAGE = new TextEncoder().encode('<html><head><title>Network login</title></head><body><p>Sign in to continue.</p></body></html>');
/** The simulator's service names → the IAM action prefixes of lib/aws/answers.ts. */
const PREFIX: Readonly<Record<Service, string>> = { emr: 'elasticmapreduce', ec2: 'ec2', iam: 'iam', ssm: 'ssm', sts: 'sts', tag: 'tag' };

const settings = loadSettings({ EMR_AUDIT_MAX_ATTEMPTS: '2' });
const endpoints: HttpEndpoint[] = [];
const saved = { ...process.env };

async function audit(intercept?: Interceptor): Promise<{ results: Result[]; operations: string[]; refused: string | undefined; errors: string[] }> {
  const ep = await startHttpEndpoint({ simulator: new Simulator({ account, latencyScale: 0, specs: UNLIMITED, sharedBuckets: [] }), ...(intercept ? { intercept } : {}) });
  endpoints.push(ep);
  process.env.AWS_ENDPOINT_URL = ep.url;
  // Policy documents are kept across runs in one process: each run here must read its own.
  clearPolicyVersionCache();
  const clients = createAwsClients({ maxAttempts: settings.maxAttempts, homeRegion: REGION, connectTimeoutMs: 2_000, requestTimeoutMs: 5_000 });
  const operations = (): string[] => [...new Set(ep.requests().flatMap((r) => (r.service ? [`${PREFIX[r.service]}:${r.operation}`] : [])))].sort();
  try {
    const snapshot = await collectSnapshot({ regions: [REGION], settings, clients, checks: CHECKS, clock: systemClock, run: { trigger: 'cli' } });
    const errors = snapshot.regions.flatMap((r) => r.errors.map((e) => `${e.api} ${e.code}`));
    return { results: evaluateSnapshot(snapshot, { checks: CHECKS, settings }), operations: operations(), refused: undefined, errors };
  } catch (e) {
    // No account, no audit: the run stops with the reason (no result at all, so no PASS).
    return { results: [], operations: operations(), refused: (e as Error).message, errors: [] };
  } finally {
    await ep.close();
  }
}

const key = (r: Pick<Result, 'region' | 'clusterId' | 'checkId' | 'resourceId'>): string => `${r.region} ${r.clusterId ?? '-'} ${r.checkId} ${r.resourceId}`;

let clean: Awaited<ReturnType<typeof audit>>;
beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIAUNEXPECTEDANSWER';
  process.env.AWS_SECRET_ACCESS_KEY = 'unexpected-answer-not-a-secret';
  clean = await audit();
}, 60_000);
afterAll(async () => {
  await Promise.all(endpoints.map((ep) => ep.close().catch(() => undefined)));
  process.env = saved;
});

describe('an HTML 200 page on any single operation', { timeout: 600_000 }, () => {
  it('the clean run calls the operations of the answer table, and finds something wrong', () => {
    const collected = Object.entries(ANSWER_MEMBERS).flatMap(([service, ops]) => (['elasticmapreduce', 'ec2', 'iam', 'ssm', 'sts', 'tag'].includes(service) ? Object.keys(ops).map((op) => `${service}:${op}`) : []));
    // Every operation the clean run made is in the table (the others — tag:GetResources, the EMR
    // instance listings this account's nodes do not need — are covered by test/aws/answer-check.test.ts).
    expect(collected).toEqual(expect.arrayContaining(clean.operations));
    expect(clean.operations.length).toBeGreaterThanOrEqual(18);
    expect(clean.refused).toBeUndefined();
    // The simulator's answers are real-shaped: the clean run believes every one.
    expect(clean.errors).toEqual([]);
    const failed = new Set(clean.results.filter((r) => r.status === 'FAIL').map((r) => r.checkId.split('/')[0]));
    expect([...failed]).toEqual(expect.arrayContaining(['iam', 'network']));
  });

  it('turns no FAIL or ERROR of the clean run into a PASS, and records the call that was not answered as a collection error', async () => {
    const wrong: string[] = [];
    const unnamed: string[] = [];
    for (const api of clean.operations) {
      const [service, operation] = api.split(':');
      const faulted = await audit((s, request) =>
        PREFIX[s] === service && request.operation === operation ? { statusCode: 200, headers: { 'content-type': 'text/html' }, body: PAGE, items: 0 } : undefined,
      );
      const before = new Map(clean.results.map((r) => [key(r), r.status]));
      for (const r of faulted.results) {
        const was = before.get(key(r));
        if (r.status === 'PASS' && (was === 'FAIL' || was === 'ERROR')) wrong.push(`${api}: ${key(r)} ${was} → PASS`);
      }
      // sts:GetCallerIdentity failing stops the run with the reason; every other call's failure
      // shows as an ERROR naming it.
      const named = faulted.refused !== undefined ? faulted.refused.includes(api) : faulted.errors.some((e) => /^(\S+) (UnexpectedAnswer|UnreadableResponse)$/.exec(e)?.[1] === api);
      if (!named) unnamed.push(api);
    }
    expect(wrong).toEqual([]);
    expect(unnamed).toEqual([]);
  });
});
