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
    default:
      return ec2Error(400, 'InvalidAction', `The simulator does not implement ec2:${req.operation}`);
  }
}
