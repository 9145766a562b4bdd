/**
 * `exposure/internet-reachable-port` end to end: the real `emr-audit` command, as a child process,
 * against the benchmark's simulated account (its VPCs, subnets, route tables and network ACLs)
 * served over HTTP on 127.0.0.1. The path the CLI reports must be the path the account has:
 * each reported hop is checked against the simulated account itself, the three VPC reads cross
 * the wire once each with EC2's filters, and the verdicts equal an in-process collection.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import * as z from 'zod';
import type { Result } from '../../checks/contract.js';
import { CHECKS } from '../../checks/index.js';
import { createAwsClients } from '../../lib/aws/clients.js';
import { systemClock } from '../../lib/clock.js';
import { collectSnapshot } from '../../lib/collect/index.js';
import { evaluateSnapshot } from '../../lib/evaluate.js';
import { loadSettings } from '../../lib/settings.js';
import type { Snapshot } from '../../lib/snapshot.js';
import { buildAccount } from '../../scripts/bench/account.js';
import { startHttpEndpoint, type HttpEndpoint } from '../../scripts/bench/http-endpoint.js';
import { API_SPECS, type ApiSpec } from '../../scripts/bench/limits.js';
import { Simulator } from '../../scripts/bench/simulator.js';
import { isolatedEnv, runCliProcess, type IsolatedEnv } from './cli-process.js';

const CHECK = 'exposure/internet-reachable-port';
const REGION = 'eu-west-1';
// A seed whose six clusters include reachable masters (tcp 22 through an internet gateway) and
// clusters whose nodes are not reachable: the test needs both, and says so if the model changes.
const account = buildAccount({ n: 6, seed: 1, region: REGION });
const UNLIMITED: ApiSpec[] = API_SPECS.map((s) => ({ ...s, burst: Infinity, rate: Infinity }));
const newSimulator = (): Simulator => new Simulator({ account, latencyScale: 0, specs: UNLIMITED, sharedBuckets: [] });

const PathJson = z.object({
  instanceId: z.string(),
  family: z.enum(['ipv4', 'ipv6']),
  address: z.string(),
  protocol: z.enum(['tcp', 'udp']),
  fromPort: z.number().int(),
  toPort: z.number().int(),
  securityGroupId: z.string(),
  networkAclId: z.string(),
  inboundRule: z.number().int(),
  outboundRule: z.number().int(),
  routeTableId: z.string(),
  gatewayId: z.string(),
  subnetId: z.string(),
});
const Report = z.object({
  results: z.array(
    z.object({ checkId: z.string(), status: z.string(), severity: z.string(), clusterId: z.string().nullable(), message: z.string(), network: z.array(PathJson).optional() }),
  ),
});

let baseline: { snapshot: Snapshot; results: Result[] };
let ep: HttpEndpoint;
let env: IsolatedEnv;

beforeAll(async () => {
  const settings = loadSettings({});
  const clients = newSimulator().instrument(createAwsClients({ maxAttempts: settings.maxAttempts, homeRegion: REGION }));
  const snapshot = await collectSnapshot({ regions: [REGION], settings, clients, checks: CHECKS, clock: systemClock });
  baseline = { snapshot, results: evaluateSnapshot(snapshot, { checks: CHECKS, settings }) };
  ep = await startHttpEndpoint({ simulator: newSimulator() });
  env = isolatedEnv(REGION, ep.url);
});

afterAll(async () => {
  await ep.close();
  env.cleanup();
});

describe('exposure/internet-reachable-port over HTTP against the simulated account', { timeout: 100_000 }, () => {
  it('reports each reachable node with the path the account really has, and why the others are not reachable', async ({ expect }) => {
    const run = await runCliProcess(['scan', '--region', REGION, '--format', 'json', '--check', CHECK], env.env);
    expect(run.stderr).toBe('');
    // CRITICAL findings: the scan's default --fail-on makes that exit 1 only when asked; 0 here.
    expect(run.code).toBe(0);
    const results = Report.parse(JSON.parse(run.stdout)).results.filter((r) => r.checkId === CHECK);
    const expected = baseline.results.filter((r) => r.checkId === CHECK);
    expect(results.map((r) => `${r.clusterId} ${r.status}`).sort()).toEqual(expected.map((r) => `${r.clusterId} ${r.status}`).sort());

    const failing = results.filter((r) => r.status === 'FAIL');
    const passing = results.filter((r) => r.status === 'PASS');
    expect(failing.length, 'the seeded account has reachable nodes').toBeGreaterThan(0);
    expect(passing.length, 'and clusters whose nodes are not reachable').toBeGreaterThan(0);
    expect(results.filter((r) => r.status === 'ERROR')).toEqual([]);

    // Every hop of every reported path is what the simulated account holds.
    const region = baseline.snapshot.regions[0]!;
    const vpc = region.vpc!;
    for (const r of failing) {
      expect(r.severity).toBe('CRITICAL');
      expect(r.network?.length).toBeGreaterThan(0);
      for (const p of r.network ?? []) {
        const node = region.ec2Instances[p.instanceId]!;
        expect(p.family === 'ipv4' ? node.publicIpAddress : node.ipv6Addresses).toContain(p.address);
        expect(node.subnetId).toBe(p.subnetId);
        expect(node.securityGroupIds).toContain(p.securityGroupId);
        const table = vpc.routeTables[p.routeTableId]!;
        expect(table.vpcId).toBe(node.vpcId);
        expect(table.subnetIds.includes(p.subnetId) || (table.main && !Object.values(vpc.routeTables).some((t) => t.subnetIds.includes(p.subnetId)))).toBe(true);
        expect(p.gatewayId).toMatch(/^igw-/);
        expect(table.routes.some((route) => route.target === p.gatewayId && (route.state ?? 'active') === 'active')).toBe(true);
        const acl = vpc.networkAcls[p.networkAclId]!;
        expect(acl.entries.find((e) => !e.egress && e.ruleNumber === p.inboundRule)?.action).toBe('allow');
        expect(acl.entries.find((e) => e.egress && e.ruleNumber === p.outboundRule)?.action).toBe('allow');
        expect(r.message).toContain(`${p.instanceId} (${p.address}) ${p.protocol} ${p.fromPort === p.toPort ? p.fromPort : `${p.fromPort}-${p.toPort}`}`);
        expect(r.message).toContain(p.gatewayId);
        expect(r.message).toContain('Narrowest fix:');
      }
    }
    for (const r of passing) expect(r.message).toMatch(/^No port of a running node is reachable from the internet: .+/);

    // The path was read once per run, filtered on the public nodes' subnets and VPCs only.
    const requests = ep.requests();
    const once = (operation: string): Record<string, string> => {
      const calls = requests.filter((q) => q.operation === operation);
      expect(calls, operation).toHaveLength(1);
      expect(calls[0]!.statusCode).toBe(200);
      return Object.fromEntries(Object.entries(calls[0]!.parameters).map(([k, v]) => [k, String(v)]));
    };
    const publicNodes = Object.values(region.ec2Instances).filter((i) => i.publicIpAddress !== undefined);
    const valuesOf = (p: Record<string, string>): string[] => Object.entries(p).filter(([k]) => /^Filter\.1\.Value\.\d+$/.test(k)).map(([, v]) => v).sort();
    const subnets = once('DescribeSubnets');
    expect(subnets['Filter.1.Name']).toBe('subnet-id');
    for (const n of publicNodes) expect(valuesOf(subnets)).toContain(n.subnetId);
    for (const operation of ['DescribeRouteTables', 'DescribeNetworkAcls']) {
      const p = once(operation);
      expect(p['Filter.1.Name']).toBe('vpc-id');
      for (const n of publicNodes) expect(valuesOf(p)).toContain(n.vpcId);
    }
  });
});
