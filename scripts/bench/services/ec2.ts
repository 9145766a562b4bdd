/** EC2 (ec2Query: form-encoded request, XML response) answered from the simulated account. */
import type { SimAccount, SimEc2Instance, SimPrefixList, SimRule, SimSecurityGroup } from '../account.js';
import type { SimNetworkAcl, SimRouteTable, SimSubnet } from '../network.js';
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
    x('ipv6Address', i.ipv6?.[0]) +
    // As EC2 describes a node: the groups are on the instance and on its (one) interface, which
    // carries the public address as an association and the IPv6 addresses.
    xl(
      'networkInterfaceSet',
      [i],
      (n) =>
        x('networkInterfaceId', `eni-${n.id.slice(2)}`) +
        x('subnetId', n.subnetId) +
        x('vpcId', n.vpcId) +
        x('status', 'in-use') +
        x('privateIpAddress', n.privateIp) +
        x('sourceDestCheck', true) +
        xl('groupSet', n.securityGroupIds, (g) => x('groupId', g) + x('groupName', g)) +
        (n.publicIp ? xn('association', x('publicIp', n.publicIp), x('ipOwnerId', 'amazon')) : '') +
        xl('ipv6AddressesSet', n.ipv6 ?? [], (a) => x('ipv6Address', a) + x('isPrimaryIpv6', false)),
    ) +
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

/** MaxResults of the prefix-list APIs: 1–100, default 100; undefined when out of range. */
function maxResults(req: ParsedRequest): number | undefined {
  const raw = req.form.get('MaxResults');
  if (raw === null) return 100;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= 100 ? n : undefined;
}

function subnet(sn: SimSubnet, account: SimAccount): string {
  return (
    x('subnetId', sn.id) +
    x('subnetArn', `arn:aws:ec2:${account.region}:${account.accountId}:subnet/${sn.id}`) +
    x('state', 'available') +
    x('ownerId', account.accountId) +
    x('vpcId', sn.vpcId) +
    x('cidrBlock', sn.cidr) +
    xl('ipv6CidrBlockAssociationSet', sn.ipv6Cidr ? [sn.ipv6Cidr] : [], (c) => x('ipv6CidrBlock', c) + x('associationId', `subnet-cidr-assoc-${sn.id.slice(7)}`) + xn('ipv6CidrBlockState', x('state', 'associated'))) +
    x('availableIpAddressCount', 3000) +
    x('availabilityZone', sn.availabilityZone) +
    x('defaultForAz', false) +
    x('mapPublicIpOnLaunch', sn.public) +
    x('assignIpv6AddressOnCreation', sn.ipv6Cidr !== undefined) +
    xl('tagSet', [['Name', `${sn.public ? 'public' : 'private'}-${sn.availabilityZone}`]], ([k, v]) => x('key', k) + x('value', v))
  );
}

/** The simulated account's route table association ids (what DisassociateRouteTable names). */
export const subnetAssociationId = (subnetId: string): string => `rtbassoc-${subnetId.slice('subnet-'.length)}`;
export const mainAssociationId = (routeTableId: string): string => `rtbassoc-${routeTableId.slice('rtb-'.length)}m`;

function routeTable(t: SimRouteTable, account: SimAccount): string {
  const target = (r: SimRouteTable['routes'][number]): string => {
    const id = r.target;
    if (id.startsWith('nat-')) return x('natGatewayId', id);
    if (id.startsWith('pcx-')) return x('vpcPeeringConnectionId', id);
    return x('gatewayId', id); // local, igw-…, vpce-…
  };
  // Association ids stay what they were while other subnets come and go (as EC2's do): a subnet's
  // is derived from the subnet (it has at most one), the main one's from the table.
  const associations = [
    ...(t.main ? [xn('item', x('main', true), x('routeTableAssociationId', mainAssociationId(t.id)), x('routeTableId', t.id), xn('associationState', x('state', 'associated')))] : []),
    ...t.subnetIds.map((sid) => xn('item', x('main', false), x('routeTableAssociationId', subnetAssociationId(sid)), x('routeTableId', t.id), x('subnetId', sid), xn('associationState', x('state', 'associated')))),
  ];
  return (
    x('routeTableId', t.id) +
    x('vpcId', t.vpcId) +
    x('ownerId', account.accountId) +
    xl('routeSet', t.routes, (r) => x('destinationCidrBlock', r.cidr4) + x('destinationIpv6CidrBlock', r.cidr6) + x('destinationPrefixListId', r.prefixListId) + target(r) + x('state', r.state) + x('origin', r.target === 'local' ? 'CreateRouteTable' : 'CreateRoute')) +
    `<associationSet>${associations.join('')}</associationSet>` +
    '<propagatingVgwSet/>' +
    xl('tagSet', [['Name', t.main ? 'main' : 'explicit']], ([k, v]) => x('key', k) + x('value', v))
  );
}

function networkAcl(a: SimNetworkAcl, account: SimAccount): string {
  return (
    x('networkAclId', a.id) +
    x('vpcId', a.vpcId) +
    x('default', a.isDefault) +
    xl(
      'entrySet',
      a.entries,
      (e) =>
        x('ruleNumber', e.ruleNumber) +
        x('protocol', e.protocol) +
        x('ruleAction', e.action) +
        x('egress', e.egress) +
        x('cidrBlock', e.cidr4) +
        x('ipv6CidrBlock', e.cidr6) +
        (e.from !== undefined && e.to !== undefined ? xn('portRange', x('from', e.from), x('to', e.to)) : ''),
    ) +
    xl('associationSet', a.subnetIds, (sid) => x('networkAclAssociationId', `aclassoc-${sid.slice(7)}`) + x('networkAclId', a.id) + x('subnetId', sid)) +
    '<tagSet/>' +
    x('ownerId', account.accountId)
  );
}

/**
 * MaxResults of a paged EC2 describe: absent means every match in one answer (EC2's behaviour when
 * neither MaxResults nor NextToken is given); otherwise it must lie in [min, max].
 */
function pageSize(req: ParsedRequest, min: number, max: number): { size: number } | { error: SimResponse } {
  const raw = req.form.get('MaxResults');
  if (raw === null) return { size: Infinity };
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) return { error: ec2Error(400, 'InvalidParameterValue', `Value ( ${raw} ) for parameter maxResults is invalid. Expecting a value between ${min} and ${max}.`) };
  return { size: n };
}

/** Ids from `<Prefix>.N` plus the values of the filters this describe understands; unknown filter names are refused, as EC2 does. */
function filtered<T>(req: ParsedRequest, listPrefix: string, all: ReadonlyMap<string, T>, filters: Record<string, (item: T, values: string[]) => boolean>, notFound: (missing: string[]) => SimResponse): { items: T[] } | { error: SimResponse } {
  const fs = formFilters(req.form);
  if (fs.reduce((n, f) => n + f.values.length, 0) > EC2_MAX_FILTER_VALUES) return { error: ec2Error(400, 'FilterLimitExceeded', `The maximum number of filter values specified on a single call is ${EC2_MAX_FILTER_VALUES}`) };
  const ids = formList(req.form, listPrefix);
  const missing = ids.filter((id) => !all.has(id));
  if (missing.length > 0) return { error: notFound(missing) };
  let items = ids.length > 0 ? [...new Set(ids)].map((id) => all.get(id)!) : [...all.values()];
  for (const f of fs) {
    const match = filters[f.name];
    if (!match) return { error: ec2Error(400, 'InvalidParameterValue', `The filter '${f.name}' is invalid`) };
    items = items.filter((i) => match(i, f.values));
  }
  return { items };
}

function pagedFrom<T>(items: readonly T[], req: ParsedRequest, size: number): { items: T[]; next: string } {
  if (size === Infinity && req.form.get('NextToken') === null) return { items: [...items], next: '' };
  return page(items, req, size === Infinity ? 1000 : size);
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
      const size = pageSize(req, 5, 1000);
      if ('error' in size) return size.error;
      const got = filtered(req, 'SubnetId', account.network.subnets, { 'subnet-id': (sn, v) => v.includes(sn.id), 'vpc-id': (sn, v) => v.includes(sn.vpcId) }, (missing) =>
        ec2Error(400, 'InvalidSubnetID.NotFound', `The subnet ID '${missing.join("', '")}' does not exist`),
      );
      if ('error' in got) return got.error;
      const { items, next } = pagedFrom(got.items, req, size.size);
      return ec2Response('DescribeSubnets', xl('subnetSet', items, (sn) => subnet(sn, account)) + next, items.length);
    }
    case 'DescribeRouteTables': {
      const size = pageSize(req, 5, 100);
      if ('error' in size) return size.error;
      const got = filtered(
        req,
        'RouteTableId',
        account.network.routeTables,
        {
          'vpc-id': (t, v) => v.includes(t.vpcId),
          'route-table-id': (t, v) => v.includes(t.id),
          'association.subnet-id': (t, v) => t.subnetIds.some((sid) => v.includes(sid)),
          'association.main': (t, v) => v.includes(String(t.main)),
        },
        (missing) => ec2Error(400, 'InvalidRouteTableID.NotFound', `The routeTable ID '${missing.join("', '")}' does not exist`),
      );
      if ('error' in got) return got.error;
      const { items, next } = pagedFrom(got.items, req, size.size);
      return ec2Response('DescribeRouteTables', xl('routeTableSet', items, (t) => routeTable(t, account)) + next, items.length);
    }
    case 'DescribeNetworkAcls': {
      const size = pageSize(req, 5, 100);
      if ('error' in size) return size.error;
      const got = filtered(
        req,
        'NetworkAclId',
        account.network.networkAcls,
        { 'vpc-id': (a, v) => v.includes(a.vpcId), 'network-acl-id': (a, v) => v.includes(a.id), 'association.subnet-id': (a, v) => a.subnetIds.some((sid) => v.includes(sid)), default: (a, v) => v.includes(String(a.isDefault)) },
        (missing) => ec2Error(400, 'InvalidNetworkAclID.NotFound', `The network ACL ID '${missing.join("', '")}' does not exist`),
      );
      if ('error' in got) return got.error;
      const { items, next } = pagedFrom(got.items, req, size.size);
      return ec2Response('DescribeNetworkAcls', xl('networkAclSet', items, (a) => networkAcl(a, account)) + next, items.length);
    }
    default:
      return ec2Error(400, 'InvalidAction', `The simulator does not implement ec2:${req.operation}`);
  }
}
