/** The internet-reachability path evaluator over constructed VPCs. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeReachability, vpcLookup, type InternetIngress, type NodeAddressing, type Opening } from '../../lib/network/reachability.js';
import type { NetworkAcl, NetworkAclEntry, RouteTable } from '../../lib/snapshot-vpc.js';
import { aclEntry, networkAcl, OPEN_ACL_ENTRIES, route, routeTable } from './builders.js';
import { cells, intersect, PUBLIC_SPACE, size, subtract } from '../../lib/network/address-ranges.js';
import { isPublicAddress } from '../../lib/network/public-space.js';

const SUBNET = 'subnet-1';
const VPC = 'vpc-1';

// The shared VPC builders, under the short names these tables read best with.
const table = routeTable;
const entry = aclEntry;
const OPEN_ENTRIES = OPEN_ACL_ENTRIES;
const acl = networkAcl;

interface World {
  tables?: RouteTable[];
  acls?: NetworkAcl[];
}
function lookup(world: World = {}) {
  const tables = world.tables ?? [table('rtb-main', [route('0.0.0.0/0', 'igw-1'), route('::/0', 'igw-1')], { main: true })];
  const acls = world.acls ?? [acl('acl-default', OPEN_ENTRIES, { isDefault: true })];
  return vpcLookup({
    subnets: { [SUBNET]: { subnetId: SUBNET, vpcId: VPC } },
    routeTables: Object.fromEntries(tables.map((t) => [t.routeTableId, t])),
    networkAcls: Object.fromEntries(acls.map((a) => [a.networkAclId, a])),
  });
}

const PUBLIC_NODE: NodeAddressing = { instanceId: 'i-1', subnetId: SUBNET, publicIpv4: '54.1.2.3', ipv6Addresses: [] };
const ssh = (sources: string[] = ['0.0.0.0/0']): InternetIngress => ({ groupId: 'sg-1', label: 'sg-1: tcp 22', rule: { protocol: 'tcp', fromPort: 22, toPort: 22 }, sources });
const ports = (o: readonly Opening[]): string[] => o.map((x) => `${x.family} ${x.transport} ${x.from}-${x.to} via ${x.gatewayId} in ${x.inboundRule} out ${x.outboundRule}`);

describe('nodeReachability', () => {
  it('a public node in a subnet routed to an internet gateway, default ACL, SSH open: reachable, with the whole path', () => {
    const r = nodeReachability(PUBLIC_NODE, [ssh()], lookup());
    expect(r.gaps).toEqual([]);
    expect(r.blocked).toEqual([]);
    expect(r.openings).toEqual([
      {
        instanceId: 'i-1',
        family: 'ipv4',
        address: '54.1.2.3',
        transport: 'tcp',
        from: 22,
        to: 22,
        ingress: ssh(),
        routeTableId: 'rtb-main',
        gatewayId: 'igw-1',
        networkAclId: 'acl-default',
        inboundRule: 100,
        outboundRule: 100,
      },
    ]);
  });

  it('uses the explicit association before the main table: explicit to NAT blocks, naming the route', () => {
    const tables = [table('rtb-main', [route('0.0.0.0/0', 'igw-1')], { main: true }), table('rtb-private', [route('0.0.0.0/0', 'nat-1')], { subnets: [SUBNET] })];
    const r = nodeReachability(PUBLIC_NODE, [ssh()], lookup({ tables }));
    expect(r.openings).toEqual([]);
    expect(r.blocked).toEqual([expect.objectContaining({ stage: 'route', reason: 'subnet subnet-1 (route table rtb-private) routes 0.0.0.0/0 to nat-1, which admits no inbound traffic from the internet' })]);
  });

  it('an explicit table to the internet gateway makes a subnet public even when the main table is private', () => {
    const tables = [table('rtb-main', [route('0.0.0.0/0', 'nat-1')], { main: true }), table('rtb-public', [route('0.0.0.0/0', 'igw-1')], { subnets: [SUBNET] })];
    expect(ports(nodeReachability(PUBLIC_NODE, [ssh()], lookup({ tables })).openings)).toEqual(['ipv4 tcp 22-22 via igw-1 in 100 out 100']);
  });

  it('longest prefix wins: two /1 routes to a NAT hide the default route to the gateway', () => {
    const tables = [table('rtb-main', [route('0.0.0.0/0', 'igw-1'), route('0.0.0.0/1', 'nat-1'), route('128.0.0.0/1', 'nat-1')], { main: true })];
    const r = nodeReachability(PUBLIC_NODE, [ssh()], lookup({ tables }));
    expect(r.openings).toEqual([]);
    expect(r.blocked[0]?.stage).toBe('route');
    expect(r.blocked[0]?.reason).toContain('routes 0.0.0.0/1 to nat-1');
  });

  it('longest prefix wins per address: a more specific NAT route leaves the rest of the internet reachable', () => {
    const tables = [table('rtb-main', [route('0.0.0.0/0', 'igw-1'), route('52.0.0.0/8', 'nat-1')], { main: true })];
    expect(ports(nodeReachability(PUBLIC_NODE, [ssh()], lookup({ tables })).openings)).toEqual(['ipv4 tcp 22-22 via igw-1 in 100 out 100']);
    // …but a rule that admits only that /8 is not reachable.
    expect(nodeReachability(PUBLIC_NODE, [ssh(['52.0.0.0/8'])], lookup({ tables })).openings).toEqual([]);
  });

  it('a blackhole route to a deleted gateway does not count', () => {
    const tables = [table('rtb-main', [route('0.0.0.0/0', 'igw-gone', 'blackhole')], { main: true })];
    const r = nodeReachability(PUBLIC_NODE, [ssh()], lookup({ tables }));
    expect(r.openings).toEqual([]);
    expect(r.blocked[0]?.reason).toBe('subnet subnet-1 (route table rtb-main) routes 0.0.0.0/0 to a blackhole (igw-gone no longer exists)');
  });

  it('no route for the internet at all', () => {
    const tables = [table('rtb-main', [], { main: true })];
    expect(nodeReachability(PUBLIC_NODE, [ssh()], lookup({ tables })).blocked[0]?.reason).toBe('subnet subnet-1 (route table rtb-main) has no route to the internet (0.0.0.0/0)');
  });

  it('IPv6: an egress-only gateway admits nothing; an internet gateway does, for an IPv6-only node', () => {
    const node: NodeAddressing = { instanceId: 'i-6', subnetId: SUBNET, ipv6Addresses: ['2600:1f18:abcd::5'] };
    const v6 = (target: string) => [table('rtb-main', [route('::/0', target)], { main: true })];
    const rule: InternetIngress = { groupId: 'sg-1', label: 'sg-1: tcp 22 from ::/0', rule: { protocol: 'tcp', fromPort: 22, toPort: 22 }, sources: ['::/0'] };
    const viaEigw = nodeReachability(node, [rule], lookup({ tables: v6('eigw-1') })).blocked[0];
    expect(viaEigw).toMatchObject({ family: 'ipv6', stage: 'route' });
    expect(viaEigw?.reason).toContain('routes ::/0 to eigw-1');
    expect(ports(nodeReachability(node, [rule], lookup({ tables: v6('igw-1') })).openings)).toEqual(['ipv6 tcp 22-22 via igw-1 in 101 out 101']);
  });

  it('IPv6 families are separate: an IPv4 rule does not reach an IPv6-only node, and a ULA address is not public', () => {
    const node: NodeAddressing = { instanceId: 'i-6', subnetId: SUBNET, ipv6Addresses: ['fd00::5'] };
    const r = nodeReachability(node, [ssh(), { ...ssh(['::/0']), label: 'v6' }], lookup());
    expect(r.openings).toEqual([]);
    expect(r.blocked.map((b) => [b.family, b.stage])).toEqual([
      ['ipv4', 'address'],
      ['ipv6', 'address'],
    ]);
  });

  it('network ACL: a deny before the allow blocks, naming the rule number', () => {
    const acls = [acl('acl-1', [entry(90, false, 'deny', '0.0.0.0/0', '6', [22, 22]), ...OPEN_ENTRIES], { subnets: [SUBNET] }), acl('acl-default', OPEN_ENTRIES, { isDefault: true })];
    const r = nodeReachability(PUBLIC_NODE, [ssh()], lookup({ acls }));
    expect(r.openings).toEqual([]);
    expect(r.blocked[0]).toMatchObject({ stage: 'nacl-inbound', reason: 'network ACL acl-1 rule 90 denies tcp 22 from 0.0.0.0/0' });
  });

  it('network ACL: an allow before a deny admits (first match decides)', () => {
    const acls = [acl('acl-1', [entry(90, false, 'allow', '0.0.0.0/0', '6', [22, 22]), entry(100, false, 'deny', '0.0.0.0/0'), ...OPEN_ENTRIES.filter((e) => e.egress)], { isDefault: true })];
    expect(ports(nodeReachability(PUBLIC_NODE, [ssh()], lookup({ acls })).openings)).toEqual(['ipv4 tcp 22-22 via igw-1 in 90 out 100']);
  });

  it('network ACL without a return path: blocked, naming the outbound side', () => {
    const acls = [acl('acl-1', [...OPEN_ENTRIES.filter((e) => !e.egress), entry(100, true, 'allow', '0.0.0.0/0', '6', [443, 443]), entry(32767, true, 'deny', '0.0.0.0/0')], { isDefault: true })];
    const r = nodeReachability(PUBLIC_NODE, [ssh()], lookup({ acls }));
    expect(r.openings).toEqual([]);
    expect(r.blocked[0]).toMatchObject({ stage: 'nacl-outbound', reason: 'network ACL acl-1 does not let the answers out (outbound tcp 1024-65535: rule * denies it)' });
  });

  it('a return path on part of the ephemeral range is enough: the client picks its port', () => {
    const acls = [acl('acl-1', [...OPEN_ENTRIES.filter((e) => !e.egress), entry(100, true, 'allow', '0.0.0.0/0', '6', [32768, 60999]), entry(32767, true, 'deny', '0.0.0.0/0')], { isDefault: true })];
    expect(ports(nodeReachability(PUBLIC_NODE, [ssh()], lookup({ acls })).openings)).toEqual(['ipv4 tcp 22-22 via igw-1 in 100 out 100']);
  });

  it('the default ACL serves a subnet without an explicit association', () => {
    const acls = [acl('acl-other', [entry(1, false, 'deny', '0.0.0.0/0')], { subnets: ['subnet-9'] }), acl('acl-default', OPEN_ENTRIES, { isDefault: true })];
    expect(nodeReachability(PUBLIC_NODE, [ssh()], lookup({ acls })).openings[0]?.networkAclId).toBe('acl-default');
  });

  it('port ranges are split exactly where the ACL cuts them', () => {
    const acls = [acl('acl-1', [entry(90, false, 'deny', '0.0.0.0/0', '6', [8080, 8080]), ...OPEN_ENTRIES], { isDefault: true })];
    const rule: InternetIngress = { groupId: 'sg-1', label: 'sg-1: tcp 8000-9000', rule: { protocol: 'tcp', fromPort: 8000, toPort: 9000 }, sources: ['0.0.0.0/0'] };
    expect(ports(nodeReachability(PUBLIC_NODE, [rule], lookup({ acls })).openings)).toEqual(['ipv4 tcp 8000-8079 via igw-1 in 100 out 100', 'ipv4 tcp 8081-9000 via igw-1 in 100 out 100']);
  });

  it('protocol -1 opens every tcp and udp port; ACL allows only tcp', () => {
    const acls = [acl('acl-1', [entry(100, false, 'allow', '0.0.0.0/0', '6', [0, 65535]), ...OPEN_ENTRIES.filter((e) => e.egress)], { isDefault: true })];
    const rule: InternetIngress = { groupId: 'sg-1', label: 'sg-1: all', rule: { protocol: '-1' }, sources: ['0.0.0.0/0'] };
    const r = nodeReachability(PUBLIC_NODE, [rule], lookup({ acls }));
    expect(ports(r.openings)).toEqual(['ipv4 tcp 0-65535 via igw-1 in 100 out 100']);
  });

  it('a prefix-list source is judged by its entries', () => {
    const r = nodeReachability(PUBLIC_NODE, [{ ...ssh(['0.0.0.0/1', '128.0.0.0/1']), label: 'sg-1: tcp 22 from pl-1' }], lookup());
    expect(ports(r.openings)).toEqual(['ipv4 tcp 22-22 via igw-1 in 100 out 100']);
  });

  it('an ACL that admits only private space admits nothing from the internet', () => {
    const acls = [acl('acl-1', [entry(100, false, 'allow', '10.0.0.0/8'), entry(32767, false, 'deny', '0.0.0.0/0'), ...OPEN_ENTRIES.filter((e) => e.egress)], { isDefault: true })];
    const r = nodeReachability(PUBLIC_NODE, [ssh()], lookup({ acls }));
    expect(r.openings).toEqual([]);
    expect(r.blocked[0]).toMatchObject({ stage: 'nacl-inbound', reason: 'network ACL acl-1 rule * (the final deny) denies tcp 22 from 0.0.0.0/0' });
  });

  it('a node without a public address is not reachable, and says so', () => {
    const r = nodeReachability({ instanceId: 'i-2', subnetId: SUBNET, ipv6Addresses: [] }, [ssh()], lookup());
    expect(r.openings).toEqual([]);
    expect(r.blocked).toEqual([expect.objectContaining({ stage: 'address', reason: 'i-2 has no public IPv4 address' })]);
  });

  it('a part of the path that was not collected is a gap, never "not reachable"', () => {
    expect(nodeReachability({ ...PUBLIC_NODE, subnetId: 'subnet-unknown' }, [ssh()], lookup()).gaps).toEqual([{ instanceId: 'i-1', what: 'subnet subnet-unknown (DescribeSubnets)' }]);
    const noTables = nodeReachability(PUBLIC_NODE, [ssh()], lookup({ tables: [] }));
    expect(noTables.gaps.map((g) => g.what)).toEqual(['the route table of subnet subnet-1 in vpc-1 (DescribeRouteTables)']);
    expect(noTables.openings).toEqual([]);
    expect(noTables.blocked).toEqual([]);
  });
});

describe('address ranges', () => {
  it('public space excludes private, shared and documentation blocks', () => {
    expect(isPublicAddress('54.1.2.3')).toBe(true);
    for (const a of ['10.1.2.3', '100.64.0.1', '172.16.0.1', '192.168.1.1', '127.0.0.1', '169.254.169.254', '203.0.113.5', 'fd00::1', '2001:db8::1', 'fe80::1']) expect(isPublicAddress(a), a).toBe(false);
    expect(isPublicAddress('2600:1f18::1')).toBe(true);
  });

  it('cells, intersections and differences are exact', () => {
    const all = PUBLIC_SPACE.ipv4;
    expect(size(subtract(all, all))).toBe(0n);
    expect(size(intersect(all, all))).toBe(size(all));
    const cut = cells(all, [{ first: 100n, last: 200n }]);
    expect(size(cut)).toBe(size(all));
  });
});

// ---------------------------------------------------------------- monotonicity

const SAMPLE_PORTS = [0, 22, 80, 443, 1023, 1024, 8080, 8443, 40000, 65535];

function reachablePorts(acls: NetworkAcl[], tables: RouteTable[], rule: InternetIngress): Set<string> {
  const r = nodeReachability(PUBLIC_NODE, [rule], lookup({ tables, acls }));
  const out = new Set<string>();
  for (const o of r.openings) for (const p of SAMPLE_PORTS) if (o.from <= p && p <= o.to) out.add(`${o.transport}:${p}`);
  return out;
}

const cidrArb = fc.constantFrom('0.0.0.0/0', '0.0.0.0/1', '128.0.0.0/1', '52.0.0.0/8', '54.0.0.0/8', '10.0.0.0/8');
const entryArb = (egress: boolean) =>
  fc.record({
    ruleNumber: fc.integer({ min: 1, max: 32766 }),
    action: fc.constantFrom<'allow' | 'deny'>('allow', 'deny'),
    cidr: cidrArb,
    protocol: fc.constantFrom('-1', '6', '17', '1'),
    from: fc.integer({ min: 0, max: 65535 }),
    len: fc.integer({ min: 0, max: 70000 }),
  }).map((e): NetworkAclEntry => ({ ruleNumber: e.ruleNumber, egress, action: e.action, cidr: e.cidr, protocol: e.protocol, ...(e.protocol === '6' || e.protocol === '17' ? { fromPort: e.from, toPort: Math.min(65535, e.from + e.len) } : {}) }));
const routeArb = fc.record({ cidr: cidrArb, target: fc.constantFrom('igw-1', 'nat-1', 'eigw-1', 'pcx-1'), state: fc.constantFrom('active', 'blackhole') }).map((r) => route(r.cidr, r.target, r.state));
const ruleArb = fc.record({ protocol: fc.constantFrom('-1', 'tcp', 'udp'), from: fc.integer({ min: 0, max: 65535 }), len: fc.integer({ min: 0, max: 70000 }), source: cidrArb }).map(
  (r): InternetIngress => ({ groupId: 'sg-1', label: 'rule', rule: { protocol: r.protocol, fromPort: r.from, toPort: Math.min(65535, r.from + r.len) }, sources: [r.source] }),
);

describe('reachability is monotone', () => {
  it('adding a deny ACL rule, or removing the internet-gateway routes, never makes a port more reachable', () => {
    fc.assert(
      fc.property(fc.array(entryArb(false), { maxLength: 5 }), fc.array(entryArb(true), { maxLength: 4 }), fc.array(routeArb, { maxLength: 4 }), ruleArb, entryArb(false), (inbound, outbound, routes, rule, extra) => {
        const tables = [table('rtb-main', routes, { main: true })];
        const acls = [acl('acl-1', [...inbound, ...outbound], { isDefault: true })];
        const before = reachablePorts(acls, tables, rule);
        const denied = reachablePorts([acl('acl-1', [...inbound, ...outbound, { ...extra, action: 'deny' }], { isDefault: true })], tables, rule);
        for (const p of denied) expect(before.has(p)).toBe(true);
        const noIgw = reachablePorts(acls, [table('rtb-main', routes.filter((r) => !r.target?.startsWith('igw-')), { main: true })], rule);
        expect(noIgw.size).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
