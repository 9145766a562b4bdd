/**
 * functions/change-events.ts on what the parser could not map: a listed call in an audited region is
 * never silence — the region is audited whole (bounded, coalesced like any target), counted as
 * unmapped AND audited (or coalesced), and logged at warn with why. Unaudited regions and
 * EMR_AUDIT_CHANGE_EVENTS=false skip it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handleChange, type ChangeContext } from '../../functions/change-events.js';
import type { AwsClients } from '../../lib/aws/clients.js';
import type { ParsedCloudTrail, UnmappedChange } from '../../lib/events/cloudtrail.js';
import { skippedRunSummary } from '../../lib/report/run-summary.js';
import type { AuditRequest } from '../../lib/request.js';
import { defaultSettings } from '../../lib/settings.js';
import { emptyState } from '../../lib/state/schema.js';
import { FileStateStore } from '../../lib/state/store.js';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const NOW = Date.parse('2026-11-30T14:10:00Z');
const ec2 = mockClient(EC2Client);
const sqs = mockClient(SQSClient);
const dirs: string[] = [];

afterAll(() => {
  ec2.restore();
  sqs.restore();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const unmapped = (patch: Partial<UnmappedChange> = {}): ParsedCloudTrail => ({
  kind: 'unmapped',
  eventSource: 'ec2.amazonaws.com',
  eventName: 'AuthorizeSecurityGroupIngress',
  eventId: 'e-1',
  region: REGION,
  accountId: ACCOUNT,
  reason: 'names the security group neither by id nor by name',
  ...patch,
});

interface Harness {
  ctx: ChangeContext;
  executed: AuditRequest[];
  logs: Array<{ level: string; message: string; data?: Record<string, unknown> }>;
}

function harness(options: { regions?: string[]; changeEvents?: boolean; store?: FileStateStore; queue?: boolean } = {}): Harness {
  const executed: AuditRequest[] = [];
  const logs: Harness['logs'] = [];
  const client = new EC2Client({ region: REGION });
  const clients = { forRegion: () => ({ ec2: client }), ...(options.queue ? { sqs: new SQSClient({ region: REGION }) } : {}) } as unknown as AwsClients;
  const ctx: ChangeContext = {
    runId: 'run-1',
    settings: { ...defaultSettings(), regions: options.regions ?? [REGION], changeEvents: options.changeEvents ?? true },
    accountId: ACCOUNT,
    homeRegion: REGION,
    startedAt: new Date(NOW),
    clock: { now: () => NOW, setTimer: () => () => undefined },
    clients,
    ...(options.store ? { store: options.store } : {}),
    queueUrl: options.queue ? 'https://sqs.eu-west-1.amazonaws.com/123456789012/follow-up' : undefined,
    log: (level, message, data) => logs.push({ level, message, ...(data ? { data } : {}) }),
    // The real audit saves its regions' state, the coalescing marks with it.
    execute: async (request, _description, { state }) => {
      executed.push(request);
      for (const region of request.regions ?? []) {
        const loaded = state?.loaded.get(region);
        if (state && loaded?.state) await state.store.save(loaded.state, loaded);
      }
      return { summary: skippedRunSummary({ runId: 'run-1', trigger: 'change-event', accountId: ACCOUNT, at: new Date(NOW), reason: 'audited' }), collectionErrors: 0 };
    },
  };
  return { ctx, executed, logs };
}

describe('an unmapped change event', () => {
  beforeEach(() => {
    ec2.reset();
    sqs.reset();
  });
  afterEach(() => vi.restoreAllMocks());

  it('in an audited region: the bounded audit of that region, counted unmapped and audited, logged at warn with why', async () => {
    const h = harness();
    const out = await handleChange({ kind: 'change', cloudTrail: unmapped() }, h.ctx);
    expect(h.executed).toEqual([{ trigger: 'change-event', dryRun: false, terminatedClusters: [], regions: [REGION] }]);
    expect(out.summary.changeEvents).toMatchObject({ unmapped: 1, audited: 1, targets: 1, skipped: 0, unaffected: 0 });
    const warn = h.logs.find((l) => l.level === 'warn');
    expect(warn?.message).toMatch(/not mapped .*the region is audited instead/);
    expect(warn?.data).toMatchObject({ eventName: 'AuthorizeSecurityGroupIngress', eventId: 'e-1', regions: [REGION], reason: 'names the security group neither by id nor by name' });
    // No lookup: nothing in the event to look up.
    expect(ec2.calls()).toHaveLength(0);
  });

  it("IAM's (global) audits every audited region", async () => {
    const h = harness({ regions: [REGION, 'eu-central-1'] });
    const out = await handleChange({ kind: 'change', cloudTrail: unmapped({ eventSource: 'iam.amazonaws.com', eventName: 'AttachRolePolicy', region: 'us-east-1' }) }, h.ctx);
    expect(h.executed.map((r) => r.regions)).toEqual([[REGION, 'eu-central-1']]);
    expect(out.summary.changeEvents).toMatchObject({ unmapped: 1, audited: 1, targets: 2 });
  });

  it('in a region that is not audited: skipped as unaffected (and counted unmapped)', async () => {
    const h = harness();
    const out = await handleChange({ kind: 'change', cloudTrail: unmapped({ region: 'ap-south-1' }) }, h.ctx);
    expect(h.executed).toEqual([]);
    expect(out.summary.changeEvents).toMatchObject({ unmapped: 1, unaffected: 1, audited: 0 });
  });

  it('with change-triggered audits off: skipped, as every change event', async () => {
    const h = harness({ changeEvents: false });
    const out = await handleChange({ kind: 'change', cloudTrail: unmapped() }, h.ctx);
    expect(h.executed).toEqual([]);
    expect(out.summary.changeEvents).toMatchObject({ skipped: 1, unmapped: 0, audited: 0 });
    expect(out.summary.skipped).toContain('EMR_AUDIT_CHANGE_EVENTS=false');
  });

  it('is coalesced like any target: a second one within the window merges into one follow-up of the region', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emr-audit-unmapped-'));
    dirs.push(dir);
    const store = new FileStateStore(dir);
    const state = emptyState(ACCOUNT, REGION, new Date(NOW).toISOString());
    state.index = { builtAt: new Date(NOW).toISOString(), clusters: { 'j-A': ['sg:sg-1'] } };
    expect((await store.save(state, {})).saved).toBe(true);
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });

    const first = harness({ store, queue: true });
    const one = await handleChange({ kind: 'change', cloudTrail: unmapped() }, first.ctx);
    expect(one.summary.changeEvents).toMatchObject({ unmapped: 1, audited: 1 });
    expect(first.executed).toHaveLength(1);

    const second = harness({ store, queue: true });
    const two = await handleChange({ kind: 'change', cloudTrail: unmapped({ eventId: 'e-2' }) }, second.ctx);
    expect(second.executed).toEqual([]);
    expect(two.summary.changeEvents).toMatchObject({ unmapped: 1, coalesced: 1, audited: 0, followUpsSent: 1 });
    const body = JSON.parse(String(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageBody)) as { region: string; targets: string[] };
    expect(body).toMatchObject({ region: REGION, targets: ['@region'] });
  });
});

describe('a default-VPC group named by name only', () => {
  beforeEach(() => ec2.reset());

  const revokeByName: ParsedCloudTrail = {
    kind: 'change',
    change: { eventSource: 'ec2.amazonaws.com', eventName: 'RevokeSecurityGroupIngress', eventId: 'e-3', eventTime: '2026-11-30T14:05:26Z', region: REGION, accountId: ACCOUNT, resources: [{ kind: 'security-group-name', name: 'default' }] },
  };

  async function withIndex(): Promise<FileStateStore> {
    const dir = mkdtempSync(join(tmpdir(), 'emr-audit-groupname-'));
    dirs.push(dir);
    const store = new FileStateStore(dir);
    const state = emptyState(ACCOUNT, REGION, new Date(NOW).toISOString());
    state.index = { builtAt: new Date(NOW).toISOString(), clusters: { 'j-A': ['sg:sg-0default0000000001'], 'j-B': ['sg:sg-other'] } };
    await store.save(state, {});
    return store;
  }

  it('is resolved with ONE DescribeSecurityGroups by GroupNames in the event region; only its clusters are audited', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-0default0000000001', GroupName: 'default', VpcId: 'vpc-default' }] });
    const h = harness({ store: await withIndex() });
    const out = await handleChange({ kind: 'change', cloudTrail: revokeByName }, h.ctx);
    expect(ec2.commandCalls(DescribeSecurityGroupsCommand).map((c) => c.args[0].input)).toEqual([{ GroupNames: ['default'] }]);
    expect(ec2.calls()).toHaveLength(1);
    expect(h.executed.map((r) => r.clusterIds)).toEqual([['j-A']]);
    expect(out.summary.changeEvents).toMatchObject({ audited: 1, unmapped: 0 });
  });

  it('a name the default VPC does not have: the region is audited', async () => {
    ec2.on(DescribeSecurityGroupsCommand).rejects(Object.assign(new Error("The security group 'default' does not exist in default VPC 'vpc-1'"), { name: 'InvalidGroup.NotFound', $fault: 'client', $metadata: { httpStatusCode: 400 } }));
    const h = harness({ store: await withIndex() });
    await handleChange({ kind: 'change', cloudTrail: revokeByName }, h.ctx);
    expect(h.executed).toEqual([{ trigger: 'change-event', dryRun: false, terminatedClusters: [], regions: [REGION] }]);
    expect(h.logs.some((l) => JSON.stringify(l.data ?? {}).includes('InvalidGroup.NotFound'))).toBe(true);
  });
});
