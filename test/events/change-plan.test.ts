/** From a change event to its clusters: the index, the one lookup, account settings, no index, unmapped events. */
import { describe, expect, it, vi } from 'vitest';
import { auditsFor, BPA_CHECK_ID, resolveTargets, SSM_PERMISSIONS_CHECK_ID, unmappedTargets } from '../../lib/events/change-plan.js';
import { parseCloudTrailEvent, type ChangeEvent, type ChangedResource } from '../../lib/events/cloudtrail.js';
import { clusterResources, nextIndex } from '../../lib/events/cluster-index.js';
import { emptyState, type RegionState } from '../../lib/state/schema.js';
import { RegionSnapshot } from '../../lib/snapshot.js';

const REGION = 'eu-west-1';
const change = (resources: ChangedResource[], eventSource = 'ec2.amazonaws.com', region = REGION): ChangeEvent => ({
  eventSource,
  eventName: 'X',
  eventId: 'e-1',
  eventTime: '2026-11-23T12:00:00Z',
  region,
  accountId: '123456789012',
  resources,
});

const snapshot = RegionSnapshot.parse({
  region: REGION,
  clusters: [
    {
      id: 'j-A',
      name: 'a',
      state: 'RUNNING',
      described: true,
      serviceRole: 'EMR_DefaultRole',
      ec2: { instanceProfile: 'arn:aws:iam::123456789012:instance-profile/emr-profile', subnetId: 'subnet-1', emrManagedMasterSecurityGroup: 'sg-master', emrManagedSlaveSecurityGroup: 'sg-slave' },
      instances: [{ id: 'ci-1', ec2InstanceId: 'i-1', state: 'RUNNING' }],
    },
    { id: 'j-B', name: 'b', state: 'RUNNING', described: true, ec2: { subnetId: 'subnet-2', emrManagedMasterSecurityGroup: 'sg-master' } },
  ],
  securityGroups: { 'sg-master': { groupId: 'sg-master', groupName: 'm', vpcId: 'vpc-1', ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, source: { type: 'prefixList', prefixListId: 'pl-1' } }] } },
  instanceProfiles: { 'arn:aws:iam::123456789012:instance-profile/emr-profile': { ref: 'x', name: 'emr-profile', arn: 'x', roleNames: ['emr-role'] } },
  roles: { 'emr-role': { name: 'emr-role', attachedPolicyArns: ['arn:aws:iam::123456789012:policy/data'], permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/boundary' } },
  ec2Instances: { 'i-1': { instanceId: 'i-1', subnetId: 'subnet-1', vpcId: 'vpc-1', securityGroupIds: ['sg-extra'] } },
  vpc: {
    subnets: { 'subnet-1': { subnetId: 'subnet-1', vpcId: 'vpc-1' } },
    routeTables: {
      'rtb-main': { routeTableId: 'rtb-main', vpcId: 'vpc-1', main: true, subnetIds: [], routes: [], associations: [{ associationId: 'rtbassoc-main1', main: true }] },
      // subnet-1 (j-A's) and subnet-3 (no cluster's) are associated explicitly.
      'rtb-sub': {
        routeTableId: 'rtb-sub',
        vpcId: 'vpc-1',
        main: false,
        subnetIds: ['subnet-1', 'subnet-3'],
        routes: [],
        associations: [
          { associationId: 'rtbassoc-sub1', subnetId: 'subnet-1' },
          { associationId: 'rtbassoc-sub3', subnetId: 'subnet-3' },
        ],
      },
      'rtb-other': { routeTableId: 'rtb-other', vpcId: 'vpc-9', main: true, subnetIds: [], routes: [], associations: [{ associationId: 'rtbassoc-main9', main: true }] },
    },
    networkAcls: { 'acl-1': { networkAclId: 'acl-1', vpcId: 'vpc-1', isDefault: false, subnetIds: ['subnet-1'], entries: [] } },
  },
});

function stateWithIndex(): RegionState {
  const state = emptyState('123456789012', REGION, 'now');
  state.index = nextIndex(undefined, snapshot, { complete: true, now: 'now' });
  return state;
}

describe('clusterResources', () => {
  it('names every resource the findings rest on', () => {
    expect(clusterResources(snapshot.clusters[0]!, snapshot)).toEqual(
      [
        'acl:acl-1',
        'i:i-1',
        'pl:pl-1',
        'policy:arn:aws:iam::123456789012:policy/boundary',
        'policy:arn:aws:iam::123456789012:policy/data',
        'profile:emr-profile',
        'role:EMR_DefaultRole',
        'role:emr-role',
        'rtb:rtb-main',
        'rtb:rtb-sub',
        // Its subnet's association and its VPC's main one; not subnet-3's on the same table.
        'rtbassoc:rtbassoc-main1',
        'rtbassoc:rtbassoc-sub1',
        'sg:sg-extra',
        'sg:sg-master',
        'sg:sg-slave',
        'subnet:subnet-1',
        'vpc:vpc-1',
      ].sort(),
    );
  });

  it('is rebuilt whole by a complete run, updated per cluster by a restricted one', () => {
    const prior = { builtAt: 'then', clusters: { 'j-GONE': ['sg:x'], 'j-A': ['sg:old'] } };
    expect(Object.keys(nextIndex(prior, snapshot, { complete: true, now: 'now' })!.clusters).sort()).toEqual(['j-A', 'j-B']);
    const partial = nextIndex(prior, { ...snapshot, clusters: [snapshot.clusters[0]!] }, { complete: false, now: 'now' })!;
    expect(Object.keys(partial.clusters).sort()).toEqual(['j-A', 'j-GONE']);
    expect(partial.builtAt).toBe('then');
    expect(nextIndex(undefined, snapshot, { complete: false, now: 'now' })).toBeUndefined();
  });
});

describe('resolveTargets', () => {
  const lookup = vi.fn(() => Promise.resolve({ ok: true as const, clusterIds: ['j-NEW'], calls: 1 }));
  const groupIds = vi.fn((_region: string, names: readonly string[]) => Promise.resolve(names.includes('default') ? { ok: true as const, groupIds: ['sg-slave'], calls: 1 } : { ok: false as const, reason: 'InvalidGroup.NotFound', calls: 1 }));
  const resolve = (c: ChangeEvent, state: RegionState | undefined = stateWithIndex(), regions = [REGION]) =>
    resolveTargets({ change: c, auditedRegions: regions, states: new Map(regions.map((r) => [r, state])), lookup, groupIds });

  it('a group shared by two clusters re-audits both, with no call', async () => {
    lookup.mockClear();
    const out = await resolve(change([{ kind: 'security-group', id: 'sg-master' }]));
    expect(out.targets.get(REGION)).toEqual(['j-A', 'j-B']);
    expect(lookup).not.toHaveBeenCalled();
  });

  it('a route, an ACL entry, a role policy each name their cluster', async () => {
    // j-B's group is in vpc-1 and its subnet has no table of its own: the main one serves it too.
    expect((await resolve(change([{ kind: 'route-table', id: 'rtb-main' }]))).targets.get(REGION)).toEqual(['j-A', 'j-B']);
    expect((await resolve(change([{ kind: 'network-acl', id: 'acl-1' }]))).targets.get(REGION)).toEqual(['j-A']);
    expect((await resolve(change([{ kind: 'role', name: 'emr-role' }, { kind: 'policy', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }], 'iam.amazonaws.com', 'us-east-1'))).targets.get(REGION)).toEqual(['j-A']);
  });

  it('an unknown group costs ONE lookup, which names a cluster the index does not know yet', async () => {
    lookup.mockClear();
    const out = await resolve(change([{ kind: 'security-group', id: 'sg-new' }]));
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(out.targets.get(REGION)).toEqual(['j-NEW']);
    expect(out.calls).toBe(1);
  });

  it('a resource of no cluster and nothing to look up touches nothing', async () => {
    expect((await resolve(change([{ kind: 'route-table', id: 'rtb-other' }]))).targets.size).toBe(0);
  });

  it('block public access is the account check only; Default Host Management the SSM check', async () => {
    expect((await resolve(change([{ kind: 'account-setting', setting: 'emr-block-public-access' }], 'elasticmapreduce.amazonaws.com'))).targets.get(REGION)).toEqual(['@block-public-access']);
    const [bpa] = auditsFor(new Map([[REGION, ['@block-public-access']]]), 'PutBlockPublicAccessConfiguration');
    expect(bpa).toMatchObject({ accountOnly: true, request: { checks: [BPA_CHECK_ID], clusterIds: [] } });
    const [dhm] = auditsFor(new Map([[REGION, ['@default-host-management']]]), 'UpdateServiceSetting');
    expect(dhm?.request.checks).toEqual([SSM_PERMISSIONS_CHECK_ID]);
  });

  it('without an index (first deployment, lost state) the region is audited, never silence', async () => {
    const out = await resolveTargets({ change: change([{ kind: 'security-group', id: 'sg-master' }]), auditedRegions: [REGION], states: new Map([[REGION, undefined]]), lookup, groupIds });
    expect(out.targets.get(REGION)).toEqual(['@region']);
    const [audit] = auditsFor(out.targets, 'X');
    expect(audit?.request).toMatchObject({ trigger: 'change-event', regions: [REGION] });
    expect(audit?.request.clusterIds).toBeUndefined();
  });

  it('a failed lookup falls back to the region too', async () => {
    const failing = vi.fn(() => Promise.resolve({ ok: false as const, reason: 'AccessDenied', calls: 1 }));
    const out = await resolveTargets({ change: change([{ kind: 'instance', id: 'i-new' }]), auditedRegions: [REGION], states: new Map([[REGION, stateWithIndex()]]), lookup: failing, groupIds });
    expect(out.targets.get(REGION)).toEqual(['@region']);
  });

  it('a route table association names exactly the clusters whose subnet (or VPC main table) it is, with no call', async () => {
    lookup.mockClear();
    expect((await resolve(change([{ kind: 'route-table-association', id: 'rtbassoc-sub1' }]))).targets.get(REGION)).toEqual(['j-A']);
    // The main association serves every subnet of the VPC without one of its own.
    expect((await resolve(change([{ kind: 'route-table-association', id: 'rtbassoc-main1' }]))).targets.get(REGION)).toEqual(['j-A', 'j-B']);
    // A table no cluster uses beside a known association: the association names the cluster.
    expect((await resolve(change([{ kind: 'route-table', id: 'rtb-new' }, { kind: 'route-table-association', id: 'rtbassoc-sub1' }]))).targets.get(REGION)).toEqual(['j-A']);
    expect(lookup).not.toHaveBeenCalled();
  });

  it("ReplaceRouteTableAssociation re-audits only the moved subnet's clusters, not those already on the new table", async () => {
    // subnet-1 (j-A) moves from rtb-sub to the main table, which j-B's subnet already uses unchanged.
    const parsed = parseCloudTrailEvent({
      version: '0',
      id: 'x',
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.ec2',
      account: '123456789012',
      time: '2026-11-23T12:00:00Z',
      region: REGION,
      resources: [],
      detail: {
        eventSource: 'ec2.amazonaws.com',
        eventName: 'ReplaceRouteTableAssociation',
        awsRegion: REGION,
        eventID: 'e-1',
        eventTime: '2026-11-23T12:00:00Z',
        recipientAccountId: '123456789012',
        readOnly: false,
        requestParameters: { associationId: 'rtbassoc-sub1', routeTableId: 'rtb-main' },
        responseElements: { newAssociationId: 'rtbassoc-new', associationState: { state: 'associated' } },
      },
    });
    if (!parsed.ok || parsed.value.kind !== 'change') throw new Error(`expected a change: ${JSON.stringify(parsed)}`);
    expect((await resolve(parsed.value.change)).targets.get(REGION)).toEqual(['j-A']);
  });

  it('an association the index does not know audits the region (bounded), never silence', async () => {
    lookup.mockClear();
    for (const id of ['rtbassoc-sub3', 'rtbassoc-unknown']) {
      const out = await resolve(change([{ kind: 'route-table-association', id }]));
      expect(out.targets.get(REGION), id).toEqual(['@region']);
      expect(out.notes.join('\n')).toContain(`the route table association ${id} is not in the resource index`);
      expect(out.calls).toBe(0);
    }
    // An index built before associations were kept knows none: the same fallback.
    const old = stateWithIndex();
    old.index = { builtAt: 'then', clusters: Object.fromEntries(Object.entries(old.index!.clusters).map(([c, ks]) => [c, ks.filter((k) => !k.startsWith('rtbassoc:'))])) };
    expect((await resolve(change([{ kind: 'route-table-association', id: 'rtbassoc-sub1' }]), old)).targets.get(REGION)).toEqual(['@region']);
    expect(lookup).not.toHaveBeenCalled();
  });

  it('a group named by name costs ONE lookup (its id), then the index; no second lookup', async () => {
    lookup.mockClear();
    groupIds.mockClear();
    const out = await resolve(change([{ kind: 'security-group-name', name: 'default' }]));
    expect(groupIds).toHaveBeenCalledTimes(1);
    expect(groupIds).toHaveBeenCalledWith(REGION, ['default']);
    expect(out.targets.get(REGION)).toEqual(['j-A']);
    expect(out.calls).toBe(1);
    // Resolved to a group no indexed cluster uses: unaffected, and still one call.
    groupIds.mockResolvedValueOnce({ ok: true, groupIds: ['sg-unused'], calls: 1 });
    const unused = await resolve(change([{ kind: 'security-group-name', name: 'default' }]));
    expect(unused.targets.size).toBe(0);
    expect(unused.calls).toBe(1);
    expect(lookup).not.toHaveBeenCalled();
  });

  it('a group name that cannot be resolved audits the region', async () => {
    const out = await resolve(change([{ kind: 'security-group-name', name: 'gone' }]));
    expect(out.targets.get(REGION)).toEqual(['@region']);
    expect(out.notes.join('\n')).toMatch(/security group named gone could not be resolved \(InvalidGroup.NotFound\)/);
  });

  it('an EC2 change in a region that is not audited touches nothing', async () => {
    expect((await resolve(change([{ kind: 'security-group', id: 'sg-master' }], 'ec2.amazonaws.com', 'ap-south-1'))).targets.size).toBe(0);
  });
});

describe('unmappedTargets', () => {
  it("an unmapped EC2, EMR or SSM event audits its own region if audited; IAM's every audited region", () => {
    expect(unmappedTargets({ eventSource: 'ec2.amazonaws.com', region: REGION }, [REGION, 'us-east-1'])).toEqual(new Map([[REGION, ['@region']]]));
    expect(unmappedTargets({ eventSource: 'ssm.amazonaws.com', region: 'ap-south-1' }, [REGION])).toEqual(new Map());
    expect(unmappedTargets({ eventSource: 'iam.amazonaws.com', region: 'us-east-1' }, [REGION, 'eu-central-1'])).toEqual(
      new Map([
        [REGION, ['@region']],
        ['eu-central-1', ['@region']],
      ]),
    );
  });

  it('is the normal region audit: every cluster of the region, no cluster list', () => {
    const [audit] = auditsFor(unmappedTargets({ eventSource: 'ec2.amazonaws.com', region: REGION }, [REGION]), 'DisassociateRouteTable');
    expect(audit?.request).toEqual({ trigger: 'change-event', dryRun: false, terminatedClusters: [], regions: [REGION] });
    expect(audit?.description).toBe(`DisassociateRouteTable: every cluster of ${REGION} (not narrowed to clusters)`);
  });
});
