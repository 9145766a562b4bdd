/**
 * Will change events flow (lib/events/trail-check.ts)? Every verdict, against aws-sdk-client-mock
 * playing CloudTrail across Regions: DescribeTrails lists a Region's own trails and the shadows of
 * multi-Region and organization trails; a trail's status and selectors answer only in its home
 * Region, by ARN, as CloudTrail's do.
 */
import {
  CloudTrailClient,
  CloudTrailServiceException,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  type AdvancedEventSelector,
  type EventSelector,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { checkTrails, readTrails, trailCheckTargets, trailVerdict, type TrailVerdict } from '../../lib/events/trail-check.js';

const ACCOUNT = '123456789012';
const MANAGEMENT = '999988887777';
const ct = mockClient(CloudTrailClient);
afterAll(() => ct.restore());

interface FakeTrail {
  trail: Trail;
  logging?: boolean;
  selectors?: { EventSelectors?: EventSelector[]; AdvancedEventSelectors?: AdvancedEventSelector[] };
  /** GetTrailStatus fails with this error name (an organization trail read from a member account). */
  denied?: string;
}

const arn = (name: string, home: string, account = ACCOUNT) => `arn:aws:cloudtrail:${home}:${account}:trail/${name}`;
const trail = (name: string, home: string, extra: Partial<Trail> = {}): Trail => ({ Name: name, TrailARN: arn(name, home), HomeRegion: home, IsMultiRegionTrail: false, IncludeGlobalServiceEvents: true, ...extra });
const error = (name: string) => new CloudTrailServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message: `${name} (mocked)` });

/** Calls made, with the Region of the client that made them. */
let calls: Array<{ op: string; region: string; input: Record<string, unknown> }> = [];

function account(trails: FakeTrail[], options: { describeDenied?: string[] } = {}): void {
  calls = [];
  const regionOf = async (getClient: () => CloudTrailClient): Promise<string> => getClient().config.region();
  ct.on(DescribeTrailsCommand).callsFake(async (input: Record<string, unknown>, getClient: () => CloudTrailClient) => {
    const region = await regionOf(getClient);
    calls.push({ op: 'DescribeTrails', region, input });
    if (options.describeDenied?.includes(region)) throw error('AccessDeniedException');
    const applies = trails.filter((t) => t.trail.HomeRegion === region || t.trail.IsMultiRegionTrail === true);
    return { trailList: applies.filter((t) => input.includeShadowTrails === true || t.trail.HomeRegion === region).map((t) => t.trail) };
  });
  const find = (name: unknown, region: string): FakeTrail => {
    const t = trails.find((x) => x.trail.TrailARN === name && x.trail.HomeRegion === region);
    if (!t) throw error('TrailNotFoundException');
    return t;
  };
  ct.on(GetTrailStatusCommand).callsFake(async (input: { Name?: string }, getClient: () => CloudTrailClient) => {
    const region = await regionOf(getClient);
    calls.push({ op: 'GetTrailStatus', region, input });
    const t = find(input.Name, region);
    if (t.denied) throw error(t.denied);
    return { IsLogging: t.logging ?? true };
  });
  ct.on(GetEventSelectorsCommand).callsFake(async (input: { TrailName?: string }, getClient: () => CloudTrailClient) => {
    const region = await regionOf(getClient);
    calls.push({ op: 'GetEventSelectors', region, input });
    const t = find(input.TrailName, region);
    return { TrailARN: t.trail.TrailARN, ...(t.selectors ?? { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] }) };
  });
}

const clients = new Map<string, CloudTrailClient>();
const client = (region: string): CloudTrailClient => {
  let c = clients.get(region);
  if (!c) {
    c = new CloudTrailClient({ region, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    clients.set(region, c);
  }
  return c;
};

const check = (audited: string[]): Promise<TrailVerdict[]> => checkTrails(trailCheckTargets(audited), client, ACCOUNT);
const byRegion = (verdicts: TrailVerdict[]) => Object.fromEntries(verdicts.map((v) => [v.region, v]));

beforeEach(() => ct.reset());

describe('trailCheckTargets', () => {
  it('each audited Region for EC2, EMR and SSM; us-east-1 for IAM whether audited or not', () => {
    expect(trailCheckTargets(['eu-west-1'])).toEqual([
      { region: 'eu-west-1', sources: ['ec2.amazonaws.com', 'elasticmapreduce.amazonaws.com', 'ssm.amazonaws.com'] },
      { region: 'us-east-1', sources: ['iam.amazonaws.com'] },
    ]);
    expect(trailCheckTargets(['us-east-1', 'us-east-1'])).toEqual([{ region: 'us-east-1', sources: ['ec2.amazonaws.com', 'elasticmapreduce.amazonaws.com', 'ssm.amazonaws.com', 'iam.amazonaws.com'] }]);
  });
});

describe('checkTrails', () => {
  it('WARNING where no trail applies', async () => {
    account([]);
    const v = byRegion(await check(['eu-west-1']));
    expect(v['eu-west-1']).toEqual({ region: 'eu-west-1', status: 'not-recorded', why: 'no CloudTrail trail applies to this Region' });
    expect(v['us-east-1']?.status).toBe('not-recorded');
  });

  it('OK: a multi-Region trail seen as a shadow, read once, in its home Region and by ARN', async () => {
    account([{ trail: trail('management', 'us-east-1', { IsMultiRegionTrail: true }) }]);
    const v = byRegion(await check(['eu-west-1', 'eu-central-1']));
    expect(v['eu-west-1']).toMatchObject({ region: 'eu-west-1', status: 'recorded', trail: '"management" (multi-Region, home us-east-1)' });
    expect(v['eu-west-1']).toMatchObject({ trails: [{ name: 'management', homeRegion: 'us-east-1', multiRegion: true, organization: false }] });
    expect(v['eu-central-1']?.status).toBe('recorded');
    expect(v['us-east-1']).toMatchObject({ region: 'us-east-1', status: 'recorded', trail: '"management" (multi-Region)' });
    // One DescribeTrails per Region, with shadow trails (the API has no NextToken: one answer is all).
    expect(calls.filter((c) => c.op === 'DescribeTrails').map((c) => [c.region, c.input])).toEqual(
      ['eu-central-1', 'eu-west-1', 'us-east-1'].map((r) => [r, { includeShadowTrails: true }]),
    );
    // Status and selectors once for three Regions, where the trail lives.
    expect(calls.filter((c) => c.op !== 'DescribeTrails')).toEqual([
      { op: 'GetTrailStatus', region: 'us-east-1', input: { Name: arn('management', 'us-east-1') } },
      { op: 'GetEventSelectors', region: 'us-east-1', input: { TrailName: arn('management', 'us-east-1') } },
    ]);
  });

  it("a single-Region trail covers its own Region only: us-east-1's IAM events need one there", async () => {
    account([{ trail: trail('local', 'eu-west-1') }]);
    const v = byRegion(await check(['eu-west-1']));
    expect(v['eu-west-1']?.status).toBe('recorded');
    expect(v['us-east-1']).toMatchObject({ status: 'not-recorded', why: 'no CloudTrail trail applies to this Region' });
  });

  it('WARNING where the only trail is stopped; its selectors are not read', async () => {
    account([{ trail: trail('management', 'us-east-1', { IsMultiRegionTrail: true }), logging: false }]);
    const v = byRegion(await check(['eu-west-1']));
    expect(v['eu-west-1']).toEqual({ region: 'eu-west-1', status: 'not-recorded', why: 'no trail logs the write management events of EC2, EMR, SSM: "management" is stopped (logging off)' });
    expect(calls.filter((c) => c.op === 'GetEventSelectors')).toEqual([]);
  });

  it('WARNING for classic selectors that record only reads, or no management events; OK for WriteOnly', async () => {
    const t = trail('management', 'us-east-1', { IsMultiRegionTrail: true });
    account([{ trail: t, selectors: { EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }] } }]);
    expect(byRegion(await check(['eu-west-1']))['eu-west-1']).toMatchObject({ status: 'not-recorded', why: expect.stringContaining('"management": it records only read (ReadOnly) management events') as unknown });
    account([{ trail: t, selectors: { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }] }] } }]);
    expect(byRegion(await check(['eu-west-1']))['eu-west-1']).toMatchObject({ status: 'not-recorded', why: expect.stringContaining('it records no management events') as unknown });
    account([{ trail: t, selectors: { EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true, ExcludeManagementEventSources: ['kms.amazonaws.com'] }] } }]);
    expect((await check(['eu-west-1'])).every((v) => v.status === 'recorded')).toBe(true);
  });

  it('advanced selectors: WARNING when they exclude write management events (or a needed service), OK when they keep them', async () => {
    const t = trail('management', 'us-east-1', { IsMultiRegionTrail: true });
    const advanced = (...FieldSelectors: NonNullable<AdvancedEventSelector['FieldSelectors']>) => ({ AdvancedEventSelectors: [{ Name: 'm', FieldSelectors }] });
    const verdict = async (selectors: FakeTrail['selectors']) => {
      account([{ trail: t, selectors }]);
      return byRegion(await check(['eu-west-1']));
    };
    expect((await verdict(advanced({ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: ['AWS::S3::Object'] })))['eu-west-1']).toMatchObject({
      status: 'not-recorded',
      why: expect.stringContaining('its advanced event selectors select no write management events') as unknown,
    });
    expect((await verdict(advanced({ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['true'] })))['eu-west-1']?.status).toBe('not-recorded');
    expect((await verdict(advanced({ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', NotEquals: ['false'] })))['eu-west-1']?.status).toBe('not-recorded');
    // Leaving out EC2's events: a WARNING in the audited Region naming EC2; IAM in us-east-1 is fine.
    const noEc2 = await verdict(advanced({ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventSource', NotEquals: ['ec2.amazonaws.com', 'kms.amazonaws.com'] }));
    expect(noEc2['eu-west-1']).toEqual({ region: 'eu-west-1', status: 'not-recorded', why: 'no trail logs the write management events of EC2: "management": its advanced event selectors leave out the write calls of EC2' });
    expect(noEc2['us-east-1']?.status).toBe('recorded');
    for (const fields of [
      [{ Field: 'eventCategory', Equals: ['Management'] }],
      [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['false'] }],
      [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventSource', NotEquals: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] }],
    ]) {
      expect(Object.values(await verdict(advanced(...fields))).every((v) => v.status === 'recorded'), JSON.stringify(fields)).toBe(true);
    }
  });

  it("IAM's events are global service events: a us-east-1 trail that leaves them out warns there, naming IAM only", async () => {
    account([{ trail: trail('regional', 'us-east-1', { IncludeGlobalServiceEvents: false }) }]);
    const v = byRegion(await check(['us-east-1']));
    expect(v['us-east-1']).toEqual({ region: 'us-east-1', status: 'not-recorded', why: 'no trail logs the write management events of IAM: "regional": it leaves out global service events (IAM)' });
  });

  it('OK when one trail logs though another is stopped or unreadable; several trails together may cover the services', async () => {
    account([
      { trail: trail('old', 'eu-west-1'), logging: false },
      { trail: trail('org', 'us-east-1', { IsMultiRegionTrail: true, IsOrganizationTrail: true, TrailARN: arn('org', 'us-east-1', MANAGEMENT) }), denied: 'AccessDeniedException' },
      { trail: trail('all', 'us-east-1', { IsMultiRegionTrail: true }) },
    ]);
    expect((await check(['eu-west-1'])).map((v) => v.status)).toEqual(['recorded', 'recorded']);
    const only = (source: string) => ({ AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventSource', Equals: [source] }] }] });
    account([
      { trail: trail('ec2', 'us-east-1', { IsMultiRegionTrail: true }), selectors: only('ec2.amazonaws.com') },
      { trail: trail('rest', 'us-east-1', { IsMultiRegionTrail: true }), selectors: { EventSelectors: [{ ReadWriteType: 'All', ExcludeManagementEventSources: ['ec2.amazonaws.com'] }] } },
    ]);
    expect(byRegion(await check(['eu-west-1']))['eu-west-1']).toMatchObject({ region: 'eu-west-1', status: 'recorded', trail: '"ec2" (multi-Region, home us-east-1), "rest" (multi-Region, home us-east-1)' });
  });

  it("cannot tell: an organization trail seen from a member account, named with the management account", async () => {
    account([{ trail: trail('org', 'us-east-1', { IsMultiRegionTrail: true, IsOrganizationTrail: true, TrailARN: arn('org', 'us-east-1', MANAGEMENT) }), denied: 'TrailNotFoundException' }]);
    const v = byRegion(await check(['eu-west-1']));
    expect(v['eu-west-1']).toMatchObject({ status: 'unknown', why: expect.stringMatching(/organization trail "org" belongs to account 999988887777: this \(member\) account cannot read its status \(cloudtrail:GetTrailStatus TrailNotFoundException/) as unknown });
    // The same trail is not asked again for us-east-1.
    expect(calls.filter((c) => c.op === 'GetTrailStatus')).toHaveLength(1);
  });

  it('cannot tell, not a warning: DescribeTrails denied, or the only trail unreadable', async () => {
    account([{ trail: trail('management', 'us-east-1', { IsMultiRegionTrail: true }) }], { describeDenied: ['eu-west-1'] });
    const v = byRegion(await check(['eu-west-1']));
    expect(v['eu-west-1']).toEqual({ region: 'eu-west-1', status: 'unknown', why: expect.stringMatching(/^cloudtrail:DescribeTrails AccessDeniedException/) as unknown });
    expect(v['us-east-1']?.status).toBe('recorded');
    account([{ trail: trail('management', 'us-east-1', { IsMultiRegionTrail: true }), denied: 'AccessDeniedException' }]);
    expect((await check(['eu-west-1'])).map((x) => x.status)).toEqual(['unknown', 'unknown']);
  });
});

describe('trailVerdict (pure)', () => {
  const target = { region: 'eu-west-1', sources: ['ec2.amazonaws.com'] as const };
  it('CloudTrail default selectors (none set) are all management events', () => {
    expect(trailVerdict(target, { ok: true, trails: [{ trail: { Name: 't' }, reading: { ok: true, isLogging: true, selectors: {} } }] })).toEqual({
      region: 'eu-west-1',
      status: 'recorded',
      trail: '"t"',
      trails: [{ name: 't', multiRegion: false, organization: false }],
    });
  });

  it('an organization trail of the own account that cannot be read is named as such without the member hint', () => {
    const v = trailVerdict(target, { ok: true, trails: [{ trail: { Name: 'org', TrailARN: arn('org', 'us-east-1'), IsOrganizationTrail: true }, reading: { ok: false, error: 'cloudtrail:GetTrailStatus ThrottlingException: slow down' } }] }, ACCOUNT);
    expect(v).toEqual({ region: 'eu-west-1', status: 'unknown', why: 'could not read "org": cloudtrail:GetTrailStatus ThrottlingException: slow down' });
  });

  it('reads each trail once across Regions (readTrails)', async () => {
    account([{ trail: trail('management', 'us-east-1', { IsMultiRegionTrail: true }) }]);
    const read = await readTrails(['eu-west-1', 'eu-central-1', 'eu-west-1'], client);
    expect([...read.keys()].sort()).toEqual(['eu-central-1', 'eu-west-1']);
    expect(calls.filter((c) => c.op === 'GetTrailStatus')).toHaveLength(1);
  });
});
