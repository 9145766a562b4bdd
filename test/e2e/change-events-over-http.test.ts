/**
 * Change-triggered audits end to end (issue 25 item 7): real-shaped CloudTrail events through the
 * Lambda handler, whose EC2/EMR/IAM/SSM calls cross loopback HTTP to the benchmark's simulated
 * account; Security Hub and the state bucket are the in-memory fakes. A warm scheduled run builds
 * the state's resource index first; then each change is made in the account and its event sent.
 */
import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { GetObjectCommand, PutObjectCommand, S3Client, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { createHandler } from '../../functions/audit.js';
import { createAwsClients, type AwsClients } from '../../lib/aws/clients.js';
import { collectSnapshot } from '../../lib/collect/index.js';
import type { RunSummary } from '../../lib/report/run-summary.js';
import { AWS_MANAGED_POLICIES, buildAccount } from '../../scripts/bench/account.js';
import { startHttpEndpoint, type HttpEndpoint } from '../../scripts/bench/http-endpoint.js';
import { API_SPECS, type ApiSpec } from '../../scripts/bench/limits.js';
import { subnetAssociationId } from '../../scripts/bench/services/ec2.js';
import { Simulator } from '../../scripts/bench/simulator.js';
import { drain, ManualClock } from '../helpers/clock.js';
import { FakeSecurityHub } from '../helpers/fake-security-hub.js';
import { ACCOUNT, NOW } from '../helpers/fixtures.js';
import { lambdaContext } from '../helpers/lambda.js';

const REGION = 'us-east-1';
const account = buildAccount({ n: 6, seed: 7, region: REGION, accountId: ACCOUNT, now: NOW });
const UNLIMITED: ApiSpec[] = API_SPECS.map((s) => ({ ...s, burst: Infinity, rate: Infinity }));

let ep: HttpEndpoint;
let clients: AwsClients;
let hub: FakeSecurityHub;
const objects = new Map<string, { body: Uint8Array; etag: string }>();
const s3 = mockClient(S3Client);
let clock: ManualClock;

/** A CloudTrail record as EventBridge delivers it (default bus), with the fields the parser reads. */
function cloudTrail(eventSource: string, eventName: string, requestParameters: Record<string, unknown>, region = REGION, responseElements?: Record<string, unknown>): object {
  return {
    version: '0',
    id: `evt-${eventName}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: `aws.${eventSource.split('.')[0] === 'elasticmapreduce' ? 'emr' : eventSource.split('.')[0]}`,
    account: ACCOUNT,
    time: NOW.toISOString(),
    region,
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: { type: 'AssumedRole', accountId: ACCOUNT },
      eventTime: NOW.toISOString(),
      eventSource,
      eventName,
      awsRegion: region,
      sourceIPAddress: '203.0.113.10',
      userAgent: 'terraform',
      requestParameters,
      responseElements: responseElements ?? (eventName.startsWith('Authorize') ? { requestId: 'r-1', _return: true } : null),
      requestID: 'r-1',
      eventID: `e-${eventName}`,
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
    },
  };
}

const ssh = { ipProtocol: 'tcp', fromPort: 22, toPort: 22, groups: {}, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] }, ipv6Ranges: {}, prefixListIds: {} };

/** One invocation, two minutes after the last, on a clock moved 100 ms at a time until it returns (pacing waits on it). */
async function invoke(event: unknown): Promise<RunSummary> {
  await clock.advanceTo(clock.now() + 120_000);
  const handler = createHandler({
    logger: new Logger({ serviceName: 'emr-audit', logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'EmrAudit', serviceName: 'emr-audit' }),
    env: () => ({ EMR_AUDIT_REGIONS: REGION, EMR_AUDIT_STATE_BUCKET: 'state-bucket' }),
    checks: CHECKS,
    clients: () => clients,
    collect: collectSnapshot,
    clock,
    newRunId: () => 'run-e2e',
    sleep: () => Promise.resolve(),
  });
  let done = false;
  const running = handler(event, lambdaContext(600_000, REGION)).then(
    (summary) => ({ summary }),
    (error: unknown) => ({ error }),
  );
  void running.then(() => (done = true));
  while (!done) {
    await drain(3);
    if (!done) await clock.advanceTo(clock.now() + 100);
  }
  const out = await running;
  if ('error' in out) throw out.error;
  return out.summary;
}

const described = (from: number): string[] =>
  ep
    .requests()
    .slice(from)
    .filter((r) => r.operation === 'DescribeCluster')
    .map((r) => String((r.parameters as { ClusterId?: string }).ClusterId));

const cluster = account.clusters.find((c) => c.state === 'RUNNING' || c.state === 'WAITING')!;
const ACTIVE = ['STARTING', 'BOOTSTRAPPING', 'RUNNING', 'WAITING'];
/** Every active cluster with itself or a node in the subnet. */
const inSubnet = (subnetId: string): string[] =>
  account.clusters
    .filter((c) => ACTIVE.includes(c.state))
    .filter((c) => c.subnetId === subnetId || [...account.ec2Instances.values()].some((i) => i.clusterId === c.id && i.subnetId === subnetId))
    .map((c) => c.id)
    .sort();
/** Every active cluster that has the group (the EMR-managed groups may be shared). */
const usingGroup = (g: string): string[] =>
  account.clusters
    .filter((c) => ['STARTING', 'BOOTSTRAPPING', 'RUNNING', 'WAITING'].includes(c.state))
    .filter((c) => [c.masterSg, c.slaveSg, c.serviceAccessSg, ...c.additionalMasterSgs, ...c.additionalSlaveSgs].includes(g))
    .map((c) => c.id)
    .sort();

beforeAll(async () => {
  // The handler's metrics (one EMF document per invocation) go to stdout as in Lambda: not into the test report.
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) =>
    typeof chunk === 'string' && chunk.startsWith('{"_aws":') ? true : (write as (...args: unknown[]) => boolean)(chunk, ...rest)));
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAEMRAUDITE2E00000');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'e2e-not-a-real-secret-key');
  vi.stubEnv('AWS_SESSION_TOKEN', '');
  ep = await startHttpEndpoint({ simulator: new Simulator({ account, latencyScale: 0, specs: UNLIMITED, sharedBuckets: [] }) });
  vi.stubEnv('AWS_ENDPOINT_URL', ep.url);
  clients = createAwsClients({ maxAttempts: 2, homeRegion: REGION });
  hub = new FakeSecurityHub();
  s3.on(GetObjectCommand).callsFake((i: { Bucket: string; Key: string }) => {
    const o = objects.get(`${i.Bucket}/${i.Key}`);
    if (!o) throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    return { ETag: o.etag, ContentLength: o.body.length, Body: { transformToByteArray: () => Promise.resolve(o.body) } };
  });
  s3.on(PutObjectCommand).callsFake((i: PutObjectCommandInput) => {
    const body = i.Body as Uint8Array;
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    objects.set(`${i.Bucket ?? ''}/${i.Key ?? ''}`, { body, etag });
    return { ETag: etag };
  });
  clock = new ManualClock(NOW.getTime());
  // The warm run every change event starts from: it builds the state's resource index.
  const full = await invoke({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });
  expect(full.clustersAudited).toBeGreaterThan(0);
}, 60_000);

afterAll(async () => {
  hub.restore();
  s3.restore();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await ep.close();
});

const sshFinding = (clusterId: string) =>
  hub.all(REGION).find((f) => f.GeneratorId === 'emr-audit/network/ssh-from-internet' && f.Resources?.some((r) => r.Id?.endsWith(`/${clusterId}`)));
const adminFinding = (clusterId: string) =>
  hub.all(REGION).find((f) => f.GeneratorId === 'emr-audit/iam/instance-profile-admin' && f.Resources?.some((r) => r.Id?.endsWith(`/${clusterId}`)));

describe('change-triggered audits over HTTP', () => {
  it('an SSH rule opened to the internet is a FAIL imported in the same invocation; only the clusters using the group are described', async () => {
    const group = account.securityGroups.get(cluster.masterSg)!;
    expect(sshFinding(cluster.id)?.RecordState ?? 'ARCHIVED').toBe('ARCHIVED');
    group.ingress.push({ protocol: 'tcp', fromPort: 22, toPort: 22, cidr4: ['0.0.0.0/0'] });
    const from = ep.requests().length;
    const summary = await invoke(cloudTrail('ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress', { groupId: group.id, ipPermissions: { items: [ssh] } }));
    expect(summary.trigger).toBe('change-event');
    expect(summary.changeEvents).toMatchObject({ audited: 1, coalesced: 0 });
    expect(described(from).sort()).toEqual(usingGroup(group.id));
    expect(ep.requests().slice(from).filter((r) => r.operation === 'ListClusters')).toHaveLength(0);
    expect(sshFinding(cluster.id)).toMatchObject({ RecordState: 'ACTIVE', Compliance: { Status: 'FAILED' } });
  });

  it('revoking the rule archives the finding in the same invocation', async () => {
    const group = account.securityGroups.get(cluster.masterSg)!;
    group.ingress = group.ingress.filter((r) => !(r.fromPort === 22 && r.cidr4?.includes('0.0.0.0/0')));
    const summary = await invoke(cloudTrail('ec2.amazonaws.com', 'RevokeSecurityGroupIngress', { groupId: group.id, ipPermissions: { items: [ssh] } }));
    expect(summary.findings.archived).toBeGreaterThan(0);
    expect(sshFinding(cluster.id)).toMatchObject({ RecordState: 'ARCHIVED', Compliance: { Status: 'PASSED' } });
  });

  it("attaching AdministratorAccess to the instance profile's role is an admin FAIL (an IAM event, from us-east-1)", async () => {
    const profileName = cluster.instanceProfileRef.split('/').pop()!;
    const roleName = account.instanceProfiles.get(profileName)!.roleNames[0]!;
    account.roles.get(roleName)!.attachedArns.push(AWS_MANAGED_POLICIES.admin);
    const summary = await invoke(cloudTrail('iam.amazonaws.com', 'AttachRolePolicy', { roleName, policyArn: AWS_MANAGED_POLICIES.admin }));
    expect(summary.changeEvents).toMatchObject({ audited: 1 });
    expect(adminFinding(cluster.id)).toMatchObject({ RecordState: 'ACTIVE', Compliance: { Status: 'FAILED' } });
  });

  it("an unrelated group's change describes no cluster and imports nothing", async () => {
    const from = ep.requests().length;
    const imports = hub.importCalls(REGION).length;
    const summary = await invoke(cloudTrail('ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress', { groupId: 'sg-0123456789abcdef0', ipPermissions: { items: [ssh] } }));
    expect(summary.changeEvents).toMatchObject({ audited: 0, unaffected: 1 });
    expect(described(from)).toEqual([]);
    // At most the one lookup of the group's nodes.
    expect(ep.requests().slice(from).map((r) => r.operation)).toEqual(['DescribeInstances']);
    expect(hub.importCalls(REGION)).toHaveLength(imports);
  });

  it('DisassociateRouteTable (only the rtbassoc-… in the event) re-audits exactly the clusters of that subnet, with no lookup', async () => {
    // The explicit association whose subnet holds the fewest active clusters (but some).
    const candidates = [...account.network.routeTables.values()]
      .filter((t) => !t.main)
      .flatMap((t) => t.subnetIds.map((subnetId) => ({ table: t, subnetId, clusters: inSubnet(subnetId) })))
      .filter((c) => c.clusters.length > 0)
      .sort((a, b) => a.clusters.length - b.clusters.length || a.subnetId.localeCompare(b.subnetId));
    const chosen = candidates[0]!;
    expect(chosen, 'an explicitly associated subnet with a cluster').toBeDefined();
    expect(chosen.clusters.length).toBeLessThan(account.clusters.filter((c) => ACTIVE.includes(c.state)).length);
    // The subnet falls back to its VPC's main table.
    chosen.table.subnetIds = chosen.table.subnetIds.filter((s) => s !== chosen.subnetId);
    const from = ep.requests().length;
    const summary = await invoke(cloudTrail('ec2.amazonaws.com', 'DisassociateRouteTable', { associationId: subnetAssociationId(chosen.subnetId) }, REGION, { requestId: 'r-1', _return: true }));
    expect(summary.changeEvents).toMatchObject({ audited: 1, unmapped: 0, targets: chosen.clusters.length });
    expect(described(from).sort()).toEqual(chosen.clusters);
    const requests = ep.requests().slice(from);
    expect(requests.filter((r) => r.operation === 'ListClusters')).toHaveLength(0);
    // Resolved from the index alone: no lookup of the nodes by filter (the audit's own reads name ids).
    expect(requests.filter((r) => r.operation === 'DescribeInstances' && Object.values(r.parameters).includes('tag-key'))).toEqual([]);
  });

  it('an association the index does not know, or a listed call it cannot read: the region is audited (bounded), never silence', async () => {
    const active = account.clusters.filter((c) => ACTIVE.includes(c.state)).length;
    for (const [event, unmapped] of [
      [cloudTrail('ec2.amazonaws.com', 'DisassociateRouteTable', { associationId: 'rtbassoc-0123456789abcdef0' }, REGION, { requestId: 'r-1', _return: true }), 0],
      [cloudTrail('ec2.amazonaws.com', 'RevokeSecurityGroupIngress', { ipPermissions: { items: [ssh] } }), 1],
    ] as const) {
      const from = ep.requests().length;
      const summary = await invoke(event);
      expect(summary.changeEvents).toMatchObject({ audited: 1, unmapped, targets: 1 });
      expect(summary.clustersAudited).toBe(active);
      expect(ep.requests().slice(from).filter((r) => r.operation === 'ListClusters').length).toBeGreaterThan(0);
    }
  });

  it('a failed call is accepted, skipped and counted; any other shape is rejected with nothing written', async () => {
    const failed = cloudTrail('ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress', { groupId: cluster.masterSg }) as { detail: Record<string, unknown> };
    failed.detail.errorCode = 'Client.UnauthorizedOperation';
    const from = ep.requests().length;
    const summary = await invoke(failed);
    expect(summary.changeEvents).toMatchObject({ skipped: 1 });
    expect(ep.requests().length).toBe(from);
    const puts = s3.commandCalls(PutObjectCommand).length;
    await expect(invoke({ 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2', detail: { eventName: 'AuthorizeSecurityGroupIngress' } })).rejects.toThrow(/Invalid event/);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(puts);
  });
});
