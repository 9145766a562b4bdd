/** EC2 (ec2Query: form-encoded request, XML response) answered from the simulated account. */
import type { SimAccount, SimEc2Instance, SimPrefixList, SimRule, SimSecurityGroup } from '../account.js';
import { ec2Error, ec2Response, formFilters, formList, x, xl, xn, type ParsedRequest, type SimResponse } from '../wire.js';

/**
 * The most ids one DescribeSecurityGroups / DescribeInstances call takes (GroupId.N /
 * InstanceId.N). AWS documents no hard limit for these lists (only the request size); 1000 is the
 * largest page size EC2 accepts anywhere (MaxResults 5–1000), so the simulator takes up to 1000.
 */
export const EC2_MAX_IDS = 1000;
/** EC2 rejects more than 200 values in the filters of one call (FilterLimitExceeded). */
export const EC2_MAX_FILTER_VALUES = 200;

function rule(r: SimRule, ownerId: string): string {
  return xn(
    'item',
    x('ipProtocol', r.protocol),
    x('fromPort', r.fromPort),
    x('toPort', r.toPort),
    xl('groups', r.groups ?? [], (g) => x('userId', ownerId) + x('groupId', g)),
    xl('ipRanges', r.cidr4 ?? [], (c) => x('cidrIp', c) + x('description', r.description)),
    xl('ipv6Ranges', r.cidr6 ?? [], (c) => x('cidrIpv6', c) + x('description', r.description)),
    xl('prefixListIds', r.prefixLists ?? [], (p) => x('prefixListId', p) + x('description', r.description)),
  );
}

function group(g: SimSecurityGroup, ownerId: string): string {
  const egress: SimRule = { protocol: '-1', cidr4: ['0.0.0.0/0'] };
  return (
    x('ownerId', ownerId) +
    x('groupId', g.id) +
    x('groupName', g.name) +
    x('groupDescription', g.description) +
    x('vpcId', g.vpcId) +
    `<ipPermissions>${g.ingress.map((r) => rule(r, ownerId)).join('')}</ipPermissions>` +
    `<ipPermissionsEgress>${rule(egress, ownerId)}</ipPermissionsEgress>` +
    x('securityGroupArn', `arn:aws:ec2:us-east-1:${ownerId}:security-group/${g.id}`)
  );
}

function instance(i: SimEc2Instance): string {
  const running = i.state === 'running';
  const tags: [string, string][] = [
    ['aws:elasticmapreduce:job-flow-id', i.clusterId],
    ['aws:elasticmapreduce:instance-group-role', i.role],
    ['aws:elasticmapreduce:instance-group-id', i.groupId],
    ['Name', `${i.clusterId}-${i.role.toLowerCase()}`],
  ];
  return (
    x('instanceId', i.id) +
    x('imageId', 'ami-0abcdef1234567890') +
    xn('instanceState', x('code', running ? 16 : 0), x('name', i.state)) +
    x('privateDnsName', `ip-${i.privateIp.replaceAll('.', '-')}.ec2.internal`) +
    x('dnsName', i.publicIp ? `ec2-${i.publicIp.replaceAll('.', '-')}.compute-1.amazonaws.com` : '') +
    x('instanceType', i.instanceType) +
    x('launchTime', i.launchTime) +
    xn('placement', x('availabilityZone', 'us-east-1a'), x('tenancy', 'default')) +
    xn('monitoring', x('state', 'disabled')) +
    x('subnetId', i.subnetId) +
    x('vpcId', i.vpcId) +
    x('privateIpAddress', i.privateIp) +
    x('ipAddress', i.publicIp) +
    x('architecture', i.instanceType.includes('g.') ? 'arm64' : 'x86_64') +
    x('rootDeviceType', 'ebs') +
    x('rootDeviceName', '/dev/xvda') +
    xl('blockDeviceMapping', ['/dev/xvda', '/dev/sdb'], (d) => x('deviceName', d) + xn('ebs', x('volumeId', `vol-${i.id.slice(2)}${d.slice(-1)}`), x('status', 'attached'), x('deleteOnTermination', true))) +
    xl('groupSet', i.securityGroupIds, (g) => x('groupId', g) + x('groupName', g)) +
    xl('tagSet', tags, ([k, v]) => x('key', k) + x('value', v)) +
    xn('iamInstanceProfile', x('arn', i.profileArn), x('id', 'AIPAEXAMPLE')) +
    xl('networkInterfaceSet', [i], (n) => x('networkInterfaceId', `eni-${n.id.slice(2)}`) + x('subnetId', n.subnetId) + x('vpcId', n.vpcId) + x('status', 'in-use') + x('privateIpAddress', n.privateIp) + x('sourceDestCheck', true)) +
    x('ebsOptimized', true) +
    x('enaSupport', true) +
    xn('metadataOptions', x('state', 'applied'), x('httpTokens', i.httpTokens), x('httpPutResponseHopLimit', i.httpTokens === 'required' ? 1 : 2), x('httpEndpoint', 'enabled'), x('httpProtocolIpv6', 'disabled'), x('instanceMetadataTags', 'disabled')) +
    xn('maintenanceOptions', x('autoRecovery', 'default'))
  );
}

function idsFrom(req: ParsedRequest, listPrefix: string, filterName: string): { ids: string[]; error?: SimResponse } {
  const ids = formList(req.form, listPrefix);
  const filters = formFilters(req.form);
  const filterValues = filters.reduce((n, f) => n + f.values.length, 0);
  if (filterValues > EC2_MAX_FILTER_VALUES) return { ids, error: ec2Error(400, 'FilterLimitExceeded', `The maximum number of filter values specified on a single call is ${EC2_MAX_FILTER_VALUES}`) };
  if (ids.length > EC2_MAX_IDS) return { ids, error: ec2Error(400, 'InvalidParameterValue', `The maximum number of ids on a single call is ${EC2_MAX_IDS}`) };
  for (const f of filters) if (f.name === filterName) ids.push(...f.values);
  return { ids };
}

function prefixList(l: SimPrefixList, region: string): string {
  return (
    x('prefixListId', l.id) +
    x('addressFamily', l.addressFamily) +
    x('state', 'create-complete') +
    x('prefixListArn', `arn:aws:ec2:${region}:${l.ownerId}:prefix-list/${l.id}`) +
    x('prefixListName', l.name) +
    x('maxEntries', Math.max(1, l.entries.length)) +
    x('version', 1) +
    x('ownerId', l.ownerId)
  );
}

/**
 * The simulated network, derived from the clusters (no random draw, so the account stays what its
 * seed makes it): each cluster's subnet in its VPC; per VPC a main route table to a NAT gateway and a
 * public table to an internet gateway associated with the subnets whose nodes have public addresses;
 * per VPC a default network ACL allowing everything (EC2 lists it associated with every subnet).
 */
export interface SimNetwork {
  subnets: Map<string, { id: string; vpcId: string; az: string; public: boolean }>;
  routeTables: { id: string; vpcId: string; main: boolean; subnetIds: string[]; routes: { cidr: string; target: string }[] }[];
  networkAcls: { id: string; vpcId: string; subnetIds: string[] }[];
}

const networks = new WeakMap<SimAccount, SimNetwork>();

export function simNetwork(account: SimAccount): SimNetwork {
  const known = networks.get(account);
  if (known) return known;
  const subnets: SimNetwork['subnets'] = new Map();
  for (const c of account.clusters) {
    const s = subnets.get(c.subnetId) ?? { id: c.subnetId, vpcId: c.vpcId, az: c.availabilityZone, public: false };
    s.public ||= c.instances.some((i) => i.publicIp !== undefined);
    subnets.set(c.subnetId, s);
  }
  const vpcs = [...new Set([...subnets.values()].map((s) => s.vpcId))].sort();
  const suffix = (vpcId: string): string => vpcId.replace(/^vpc-/, '');
  const network: SimNetwork = {
    subnets,
    routeTables: vpcs.flatMap((vpcId) => [
      { id: `rtb-m${suffix(vpcId)}`, vpcId, main: true, subnetIds: [], routes: [{ cidr: '10.0.0.0/8', target: 'local' }, { cidr: '0.0.0.0/0', target: `nat-${suffix(vpcId)}` }] },
      { id: `rtb-p${suffix(vpcId)}`, vpcId, main: false, subnetIds: [...subnets.values()].filter((s) => s.vpcId === vpcId && s.public).map((s) => s.id), routes: [{ cidr: '10.0.0.0/8', target: 'local' }, { cidr: '0.0.0.0/0', target: `igw-${suffix(vpcId)}` }] },
    ]),
    networkAcls: vpcs.map((vpcId) => ({ id: `acl-${suffix(vpcId)}`, vpcId, subnetIds: [...subnets.values()].filter((s) => s.vpcId === vpcId).map((s) => s.id) })),
  };
  networks.set(account, network);
  return network;
}

/** EC2's MaxResults bounds of an API; undefined when out of range. */
function boundedMax(req: ParsedRequest, min: number, max: number): number | undefined {
  const raw = req.form.get('MaxResults');
  if (raw === null) return max;
  const n = Number(raw);
  return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}

/** Items matching every filter (any of its values); an unknown filter name is an error, as in EC2. */
function byFilters<T>(req: ParsedRequest, items: readonly T[], fields: Record<string, (item: T) => string[]>): T[] | SimResponse {
  const filters = formFilters(req.form);
  if (filters.reduce((n, f) => n + f.values.length, 0) > EC2_MAX_FILTER_VALUES) return ec2Error(400, 'FilterLimitExceeded', `The maximum number of filter values specified on a single call is ${EC2_MAX_FILTER_VALUES}`);
  for (const f of filters) if (!Object.hasOwn(fields, f.name)) return ec2Error(400, 'InvalidParameterValue', `The filter '${f.name}' is invalid`);
  return items.filter((item) => filters.every((f) => fields[f.name]!(item).some((v) => f.values.includes(v))));
}

const ALLOW_ALL = [false, true].flatMap((egress) => [
  { n: 100, egress, action: 'allow' },
  { n: 32767, egress, action: 'deny' },
]);

/** MaxResults of the prefix-list APIs: 1–100, default 100; undefined when out of range. */
function maxResults(req: ParsedRequest): number | undefined {
  const raw = req.form.get('MaxResults');
  if (raw === null) return 100;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= 100 ? n : undefined;
}

function page<T>(items: readonly T[], req: ParsedRequest, max: number): { items: T[]; next: string } {
  const start = Number(req.form.get('NextToken') ?? '0');
  const slice = items.slice(start, start + max);
  return { items: slice, next: start + max < items.length ? x('nextToken', String(start + max)) : '' };
}

export function handleEc2(account: SimAccount, req: ParsedRequest): SimResponse {
  switch (req.operation) {
    case 'DescribeSecurityGroups': {
      const { ids, error } = idsFrom(req, 'GroupId', 'group-id');
      if (error) return error;
      const byList = formList(req.form, 'GroupId').length > 0;
      let groups: SimSecurityGroup[];
      if (ids.length === 0) groups = [...account.securityGroups.values()];
      else {
        const missing = ids.filter((id) => !account.securityGroups.has(id));
        // With GroupId.N, one unknown id fails the whole call (a filter just matches nothing).
        if (byList && missing.length > 0) return ec2Error(400, 'InvalidGroup.NotFound', `The security group '${missing.join("', '")}' does not exist`);
        groups = [...new Set(ids)].flatMap((id) => account.securityGroups.get(id) ?? []);
      }
      const max = Number(req.form.get('MaxResults') ?? '0');
      const start = Number(req.form.get('NextToken') ?? '0');
      const pageItems = max > 0 ? groups.slice(start, start + max) : groups;
      const next = max > 0 && start + max < groups.length ? x('nextToken', String(start + max)) : '';
      return ec2Response('DescribeSecurityGroups', xl('securityGroupInfo', pageItems, (g) => group(g, account.accountId)) + next, pageItems.length);
    }
    case 'DescribeInstances': {
      const { ids, error } = idsFrom(req, 'InstanceId', 'instance-id');
      if (error) return error;
      const byList = formList(req.form, 'InstanceId').length > 0;
      if (byList && req.form.get('MaxResults')) return ec2Error(400, 'InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
      const missing = ids.filter((id) => !account.ec2Instances.has(id));
      if (byList && missing.length > 0) {
        return ec2Error(400, 'InvalidInstanceID.NotFound', missing.length === 1 ? `The instance ID '${missing[0] ?? ''}' does not exist` : `The instance IDs '${missing.join(', ')}' do not exist`);
      }
      let instances = ids.length > 0 ? [...new Set(ids)].flatMap((id) => account.ec2Instances.get(id) ?? []) : [...account.ec2Instances.values()];
      // The filters EMR node queries use: tag-key (every node carries EMR's system tags) and state.
      for (const f of formFilters(req.form)) {
        if (f.name === 'tag-key') instances = instances.filter(() => f.values.some((v) => v === 'aws:elasticmapreduce:job-flow-id' || v === 'aws:elasticmapreduce:instance-group-role' || v === 'aws:elasticmapreduce:instance-group-id' || v === 'Name'));
        else if (f.name === 'instance-state-name') instances = instances.filter((i) => f.values.includes(i.state));
        else if (f.name === 'tag:aws:elasticmapreduce:job-flow-id') instances = instances.filter((i) => f.values.includes(i.clusterId));
      }
      // Paged by MaxResults (5–1000) with an opaque token, as EC2 pages (not with an id list).
      const max = Number(req.form.get('MaxResults') ?? '0');
      if (max && (max < 5 || max > 1000)) return ec2Error(400, 'InvalidParameterValue', 'MaxResults must be between 5 and 1000');
      const start = Number(req.form.get('NextToken') ?? '0');
      const total = instances.length;
      if (max > 0) instances = instances.slice(start, start + max);
      const nextToken = max > 0 && start + max < total ? x('nextToken', String(start + max)) : '';
      // One reservation per launch (EMR launches each group/fleet separately).
      const reservations = new Map<string, SimEc2Instance[]>();
      for (const i of instances) {
        const list = reservations.get(i.groupId);
        if (list) list.push(i);
        else reservations.set(i.groupId, [i]);
      }
      const body = xl('reservationSet', [...reservations.entries()], ([groupId, list]) => x('reservationId', `r-${groupId.slice(3).toLowerCase()}`) + x('ownerId', account.accountId) + x('requesterId', '123456789012') + xl('instancesSet', list, instance));
      return ec2Response('DescribeInstances', body + nextToken, instances.length);
    }
    case 'DescribeManagedPrefixLists': {
      const { ids, error } = idsFrom(req, 'PrefixListId', 'prefix-list-id');
      if (error) return error;
      const max = maxResults(req);
      if (max === undefined) return ec2Error(400, 'InvalidParameterValue', 'MaxResults must be between 1 and 100');
      const byList = formList(req.form, 'PrefixListId').length > 0;
      const missing = ids.filter((id) => !account.prefixLists.has(id));
      if (byList && missing.length > 0) return ec2Error(400, 'InvalidPrefixListID.NotFound', `The prefix list ID '${missing.join("', '")}' does not exist`);
      const lists = ids.length > 0 ? [...new Set(ids)].flatMap((id) => account.prefixLists.get(id) ?? []) : [...account.prefixLists.values()];
      const { items, next } = page(lists, req, max);
      return ec2Response('DescribeManagedPrefixLists', xl('prefixListSet', items, (l) => prefixList(l, account.region)) + next, items.length);
    }
    case 'GetManagedPrefixListEntries': {
      const id = req.form.get('PrefixListId') ?? '';
      const list = account.prefixLists.get(id);
      if (!list) return ec2Error(400, 'InvalidPrefixListID.NotFound', `The prefix list ID '${id}' does not exist`);
      const max = maxResults(req);
      if (max === undefined) return ec2Error(400, 'InvalidParameterValue', 'MaxResults must be between 1 and 100');
      const { items, next } = page(list.entries, req, max);
      return ec2Response('GetManagedPrefixListEntries', xl('entrySet', items, (e) => x('cidr', e.cidr) + x('description', e.description)) + next, items.length);
    }
    case 'DescribeSubnets': {
      const max = boundedMax(req, 5, 1000);
      if (max === undefined) return ec2Error(400, 'InvalidParameterValue', 'MaxResults must be between 5 and 1000');
      const found = byFilters(req, [...simNetwork(account).subnets.values()], { 'subnet-id': (s) => [s.id], 'vpc-id': (s) => [s.vpcId] });
      if (!Array.isArray(found)) return found;
      const { items, next } = page(found, req, max);
      const body = xl('subnetSet', items, (s) => x('subnetId', s.id) + x('state', 'available') + x('vpcId', s.vpcId) + x('ownerId', account.accountId) + x('availabilityZone', s.az) + x('mapPublicIpOnLaunch', s.public) + x('assignIpv6AddressOnCreation', false));
      return ec2Response('DescribeSubnets', body + next, items.length);
    }
    case 'DescribeRouteTables': {
      const max = boundedMax(req, 5, 100);
      if (max === undefined) return ec2Error(400, 'InvalidParameterValue', 'MaxResults must be between 5 and 100');
      const found = byFilters(req, simNetwork(account).routeTables, { 'vpc-id': (t) => [t.vpcId], 'route-table-id': (t) => [t.id] });
      if (!Array.isArray(found)) return found;
      const { items, next } = page(found, req, max);
      const association = (t: SimNetwork['routeTables'][number], subnetId?: string): string =>
        x('routeTableAssociationId', `rtbassoc-${subnetId ?? t.id}`) + x('routeTableId', t.id) + x('main', subnetId === undefined) + x('subnetId', subnetId) + xn('associationState', x('state', 'associated'));
      const body = xl('routeTableSet', items, (t) =>
        x('routeTableId', t.id) +
        x('vpcId', t.vpcId) +
        x('ownerId', account.accountId) +
        xl('routeSet', t.routes, (r) => x('destinationCidrBlock', r.cidr) + (r.target.startsWith('nat-') ? x('natGatewayId', r.target) : x('gatewayId', r.target)) + x('state', 'active') + x('origin', 'CreateRoute')) +
        (t.main ? xl('associationSet', [undefined], () => association(t)) : xl('associationSet', t.subnetIds, (s) => association(t, s))),
      );
      return ec2Response('DescribeRouteTables', body + next, items.length);
    }
    case 'DescribeNetworkAcls': {
      const max = boundedMax(req, 5, 100);
      if (max === undefined) return ec2Error(400, 'InvalidParameterValue', 'MaxResults must be between 5 and 100');
      const found = byFilters(req, simNetwork(account).networkAcls, { 'vpc-id': (a) => [a.vpcId], 'network-acl-id': (a) => [a.id] });
      if (!Array.isArray(found)) return found;
      const { items, next } = page(found, req, max);
      const body = xl('networkAclSet', items, (a) =>
        x('networkAclId', a.id) +
        x('vpcId', a.vpcId) +
        x('default', true) +
        x('ownerId', account.accountId) +
        xl('entrySet', ALLOW_ALL, (e) => x('ruleNumber', e.n) + x('protocol', '-1') + x('ruleAction', e.action) + x('egress', e.egress) + x('cidrBlock', '0.0.0.0/0')) +
        xl('associationSet', a.subnetIds, (s) => x('networkAclAssociationId', `aclassoc-${s}`) + x('networkAclId', a.id) + x('subnetId', s)),
      );
      return ec2Response('DescribeNetworkAcls', body + next, items.length);
    }
    default:
      return ec2Error(400, 'InvalidAction', `The simulator does not implement ec2:${req.operation}`);
  }
}
