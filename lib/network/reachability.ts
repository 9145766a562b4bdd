/**
 * Can someone on the internet reach port P of this node right now? The conjunction, per node,
 * per address family and per port range (CHECKS.md `exposure/internet-reachable-port`):
 *  1. the node has a public address of the family (IPv4 / Elastic IP, or a global IPv6 address);
 *  2. for the source address, the subnet's route table (explicit association, else the VPC's main
 *     table) chooses by longest prefix an active route to an internet gateway (`igw-…`): an
 *     egress-only gateway, NAT, transit gateway, peering or blackhole route returns nothing;
 *  3. the subnet's network ACL (explicit association, else the VPC's default) admits the traffic:
 *     inbound entries in rule-number order, the first match decides;
 *  4. the ACL lets the answer out: some outbound first match allows the source address on an
 *     ephemeral port 1024–65535 (the client picks its port, so one allowed port is enough);
 *  5. a security-group rule of the node allows the port from that source (the caller passes
 *     only the rules "from the internet", with their CIDRs or their prefix list's entries).
 * Everything is exact: addresses and ports are split into cells at every edge of every route,
 * ACL entry and source, and each cell is decided once.
 */
import type { NetworkAcl, NetworkAclEntry, RouteTable, Subnet } from '../snapshot-vpc.js';
import { cells, cidrRange, intersect, normalise, PUBLIC_SPACE, rangeOfCidr, type AddressRange } from './address-ranges.js';
import { MAX_PORT, portSpans, type RulePorts, type Transport } from './ports.js';
import { parseCidr, type Family } from './cidr.js';
import { isPublicAddress } from './public-space.js';

export const EPHEMERAL_PORTS = { from: 1024, to: MAX_PORT } as const;

export interface NodeAddressing {
  instanceId: string;
  subnetId?: string;
  /** Public IPv4 address (includes an Elastic IP). */
  publicIpv4?: string;
  /** IPv6 addresses of the node's interfaces; only global unicast ones are public. */
  ipv6Addresses: readonly string[];
}

/** One security-group rule from the internet, with the CIDRs it admits. */
export interface InternetIngress {
  groupId: string;
  /** How the finding names it: `sg-1 (name): tcp 22 from 0.0.0.0/0`. */
  label: string;
  rule: RulePorts;
  /** The rule's CIDR, or its prefix list's internet entries. */
  sources: readonly string[];
}

export interface VpcLookup {
  subnet(subnetId: string): Subnet | undefined;
  routeTables(vpcId: string): readonly RouteTable[];
  networkAcls(vpcId: string): readonly NetworkAcl[];
}

export interface Opening {
  instanceId: string;
  family: Family;
  /** The node's public address of that family. */
  address: string;
  transport: Transport;
  from: number;
  to: number;
  ingress: InternetIngress;
  routeTableId: string;
  gatewayId: string;
  networkAclId: string;
  /** The inbound entry that admits it, and the outbound one that lets the answer out. */
  inboundRule: number;
  outboundRule: number;
}

/** Why a rule from the internet does not reach a node today: the first part of the path that stops it. */
export interface Blocked {
  instanceId: string;
  family: Family;
  ingress: InternetIngress;
  stage: 'address' | 'route' | 'nacl-inbound' | 'nacl-outbound';
  reason: string;
}

/** A part of the path that could not be read: the node's reachability is unknown. */
export interface PathGap {
  instanceId: string;
  what: string;
}

export interface NodeReachability {
  openings: Opening[];
  blocked: Blocked[];
  gaps: PathGap[];
}

const FAMILIES: readonly Family[] = ['ipv4', 'ipv6'];

/** The route table that serves a subnet: its explicit association, else the VPC's main table. */
export function routeTableOf(subnet: Subnet, vpc: VpcLookup): RouteTable | undefined {
  const tables = vpc.routeTables(subnet.vpcId);
  return tables.find((t) => t.subnetIds.includes(subnet.subnetId)) ?? tables.find((t) => t.main);
}

/** The network ACL that serves a subnet: its explicit association, else the VPC's default ACL. */
export function networkAclOf(subnet: Subnet, vpc: VpcLookup): NetworkAcl | undefined {
  const acls = vpc.networkAcls(subnet.vpcId);
  return acls.find((a) => a.subnetIds.includes(subnet.subnetId)) ?? acls.find((a) => a.isDefault);
}

function publicAddressOf(node: NodeAddressing, family: Family): string | undefined {
  if (family === 'ipv4') return node.publicIpv4;
  return node.ipv6Addresses.find(isPublicAddress);
}

interface CidrRoute {
  range: AddressRange;
  prefix: number;
  target: string | undefined;
  active: boolean;
  text: string;
}

function cidrRoutes(table: RouteTable, family: Family): CidrRoute[] {
  const out: CidrRoute[] = [];
  for (const r of table.routes) {
    // Prefix-list destinations route AWS service ranges to endpoints; none admits the internet.
    if (r.destination.type !== 'cidr') continue;
    const c = parseCidr(r.destination.cidr);
    if (!c || c.family !== family) continue;
    out.push({ range: cidrRange(c), prefix: c.prefix, target: r.target, active: (r.state ?? 'active') === 'active', text: r.destination.cidr });
  }
  return out;
}

/** The route for an address cell: longest prefix wins. */
function routeFor(routes: readonly CidrRoute[], cell: AddressRange): CidrRoute | undefined {
  let best: CidrRoute | undefined;
  for (const r of routes) {
    if (r.range.first <= cell.first && cell.last <= r.range.last && (!best || r.prefix > best.prefix)) best = r;
  }
  return best;
}

const isInternetGateway = (r: CidrRoute | undefined): r is CidrRoute & { target: string } => !!r && r.active && !!r.target?.startsWith('igw-');

interface AclRule {
  entry: NetworkAclEntry;
  range: AddressRange;
}

function aclRules(acl: NetworkAcl, family: Family, egress: boolean): AclRule[] {
  return acl.entries
    .filter((e) => e.egress === egress)
    .map((entry) => ({ entry, range: rangeOfCidr(entry.cidr, family) }))
    .filter((r): r is AclRule => r.range !== undefined)
    .sort((a, b) => a.entry.ruleNumber - b.entry.ruleNumber);
}

const PROTOCOL_NUMBER: Readonly<Record<Transport, string>> = { tcp: '6', udp: '17' };

function entryPorts(entry: NetworkAclEntry): { from: number; to: number } {
  if (entry.protocol === '-1' || entry.fromPort === undefined || entry.toPort === undefined) return { from: 0, to: MAX_PORT };
  return { from: entry.fromPort, to: entry.toPort };
}

function entryMatches(rule: AclRule, cell: AddressRange, transport: Transport, from: number, to: number): boolean {
  const p = rule.entry.protocol.trim().toLowerCase();
  const protocolMatches = p === '-1' || p === 'all' || p === PROTOCOL_NUMBER[transport] || p === transport;
  if (!protocolMatches) return false;
  if (!(rule.range.first <= cell.first && cell.last <= rule.range.last)) return false;
  const ports = entryPorts(rule.entry);
  return ports.from <= from && to <= ports.to;
}

/** Port cells of [from, to] split at every entry's port edges. */
function portCells(from: number, to: number, rules: readonly AclRule[]): Array<{ from: number; to: number }> {
  const cuts = new Set<number>([from, to + 1]);
  for (const r of rules) {
    const p = entryPorts(r.entry);
    if (p.from > from && p.from <= to) cuts.add(p.from);
    if (p.to + 1 > from && p.to + 1 <= to) cuts.add(p.to + 1);
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  const out: Array<{ from: number; to: number }> = [];
  for (let i = 0; i + 1 < sorted.length; i++) out.push({ from: sorted[i]!, to: sorted[i + 1]! - 1 });
  return out;
}

/** The first entry that matches (undefined: only the implicit final deny). */
function firstMatch(rules: readonly AclRule[], cell: AddressRange, transport: Transport, from: number, to: number): AclRule | undefined {
  return rules.find((r) => entryMatches(r, cell, transport, from, to));
}

function describeEntry(acl: NetworkAcl, rule: AclRule | undefined, transport: Transport, port: number): string {
  if (!rule) return `network ACL ${acl.networkAclId} has no rule that allows ${transport} ${port} (only the final deny matches)`;
  const n = rule.entry.ruleNumber === 32767 ? '* (the final deny)' : String(rule.entry.ruleNumber);
  return `network ACL ${acl.networkAclId} rule ${n} ${rule.entry.action === 'deny' ? 'denies' : 'allows'} ${transport} ${port} from ${rule.entry.cidr}`;
}

function describeRoute(table: RouteTable, subnetId: string, route: CidrRoute | undefined, family: Family): string {
  const any = family === 'ipv4' ? '0.0.0.0/0' : '::/0';
  if (!route) return `subnet ${subnetId} (route table ${table.routeTableId}) has no route to the internet (${any})`;
  if (!route.active) return `subnet ${subnetId} (route table ${table.routeTableId}) routes ${route.text} to a blackhole${route.target ? ` (${route.target} no longer exists)` : ''}`;
  return `subnet ${subnetId} (route table ${table.routeTableId}) routes ${route.text} to ${route.target ?? 'no target'}, which admits no inbound traffic from the internet`;
}

interface Candidate {
  cell: AddressRange;
  route: CidrRoute & { target: string };
}

/** Whether and how the internet reaches `node` through each of `ingress` (the node's internet rules). */
export function nodeReachability(node: NodeAddressing, ingress: readonly InternetIngress[], vpc: VpcLookup): NodeReachability {
  const result: NodeReachability = { openings: [], blocked: [], gaps: [] };
  if (ingress.length === 0) return result;
  const families = FAMILIES.filter((f) => ingress.some((i) => i.sources.some((s) => parseCidr(s)?.family === f)));
  const addressed = families.map((family) => ({ family, address: publicAddressOf(node, family) }));
  for (const { family, address } of addressed) {
    if (address) continue;
    for (const i of ingress) {
      if (i.sources.some((s) => parseCidr(s)?.family === family)) {
        result.blocked.push({ instanceId: node.instanceId, family, ingress: i, stage: 'address', reason: `${node.instanceId} has no public ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address` });
      }
    }
  }
  if (!addressed.some((a) => a.address)) return result;

  if (!node.subnetId) {
    result.gaps.push({ instanceId: node.instanceId, what: `the subnet of ${node.instanceId} (DescribeInstances gave none)` });
    return result;
  }
  const subnet = vpc.subnet(node.subnetId);
  if (!subnet) {
    result.gaps.push({ instanceId: node.instanceId, what: `subnet ${node.subnetId} (DescribeSubnets)` });
    return result;
  }
  const table = routeTableOf(subnet, vpc);
  const acl = networkAclOf(subnet, vpc);
  if (!table) result.gaps.push({ instanceId: node.instanceId, what: `the route table of subnet ${subnet.subnetId} in ${subnet.vpcId} (DescribeRouteTables)` });
  if (!acl) result.gaps.push({ instanceId: node.instanceId, what: `the network ACL of subnet ${subnet.subnetId} in ${subnet.vpcId} (DescribeNetworkAcls)` });
  if (!table || !acl) return result;

  for (const { family, address } of addressed) {
    if (!address) continue;
    const routes = cidrRoutes(table, family);
    const inbound = aclRules(acl, family, false);
    const outbound = aclRules(acl, family, true);
    for (const i of ingress) {
      const sources = normalise(i.sources.map((s) => rangeOfCidr(s, family)).filter((r): r is AddressRange => r !== undefined));
      if (sources.length === 0) continue;
      const universe = intersect(sources, PUBLIC_SPACE[family]);
      // A source with no public address is not "from the internet": nothing arrives from it.
      if (universe.length === 0) continue;
      const edges = [...routes.map((r) => r.range), ...inbound.map((r) => r.range), ...outbound.map((r) => r.range)];
      const addressCells = cells(universe, edges);
      const candidates: Candidate[] = [];
      for (const cell of addressCells) {
        const route = routeFor(routes, cell);
        if (isInternetGateway(route)) candidates.push({ cell, route });
      }
      // What stops it, said for the first internet address of the rule (1.0.0.0 for 0.0.0.0/0).
      const firstRoute = routeFor(routes, addressCells[0]!);
      const block = (stage: Blocked['stage'], reason: string): void => {
        result.blocked.push({ instanceId: node.instanceId, family, ingress: i, stage, reason });
      };
      if (candidates.length === 0) {
        block('route', describeRoute(table, subnet.subnetId, firstRoute, family));
        continue;
      }
      let opened = false;
      let inboundBlock: string | undefined;
      let outboundBlock: string | undefined;
      for (const span of portSpans(i.rule)) {
        for (const { cell, route } of candidates) {
          for (const ports of portCells(span.from, span.to, inbound)) {
            const admit = firstMatch(inbound, cell, span.transport, ports.from, ports.to);
            if (admit?.entry.action !== 'allow') {
              inboundBlock ??= describeEntry(acl, admit, span.transport, ports.from);
              continue;
            }
            const answer = outboundAllow(outbound, cell, span.transport);
            if (!answer.allowed) {
              outboundBlock ??= answer.reason(acl);
              continue;
            }
            opened = true;
            addOpening(result.openings, {
              instanceId: node.instanceId,
              family,
              address,
              transport: span.transport,
              from: ports.from,
              to: ports.to,
              ingress: i,
              routeTableId: table.routeTableId,
              gatewayId: route.target,
              networkAclId: acl.networkAclId,
              inboundRule: admit.entry.ruleNumber,
              outboundRule: answer.ruleNumber,
            });
          }
        }
      }
      if (!opened) {
        if (inboundBlock !== undefined && outboundBlock === undefined) block('nacl-inbound', inboundBlock);
        else if (outboundBlock !== undefined) block('nacl-outbound', outboundBlock);
        else block('nacl-inbound', `network ACL ${acl.networkAclId} admits none of it`);
      }
    }
  }
  return result;
}

type OutboundAnswer = { allowed: true; ruleNumber: number } | { allowed: false; reason: (acl: NetworkAcl) => string };

/** Does some outbound first match let the answer to `cell` out on an ephemeral port? */
function outboundAllow(outbound: readonly AclRule[], cell: AddressRange, transport: Transport): OutboundAnswer {
  let firstDeny: AclRule | undefined;
  for (const ports of portCells(EPHEMERAL_PORTS.from, EPHEMERAL_PORTS.to, outbound)) {
    const m = firstMatch(outbound, cell, transport, ports.from, ports.to);
    if (m?.entry.action === 'allow') return { allowed: true, ruleNumber: m.entry.ruleNumber };
    firstDeny ??= m;
  }
  return {
    allowed: false,
    reason: (acl) =>
      `network ACL ${acl.networkAclId} does not let the answers out (outbound ${transport} ${EPHEMERAL_PORTS.from}-${EPHEMERAL_PORTS.to}${firstDeny ? `: rule ${firstDeny.entry.ruleNumber === 32767 ? '*' : firstDeny.entry.ruleNumber} denies it` : ': no rule allows it'})`,
  };
}

/** Joins port cells of the same node, family, rule and path into ranges. */
function addOpening(openings: Opening[], o: Opening): void {
  const same = openings.find(
    (x) =>
      x.instanceId === o.instanceId &&
      x.family === o.family &&
      x.transport === o.transport &&
      x.ingress === o.ingress &&
      x.gatewayId === o.gatewayId &&
      x.inboundRule === o.inboundRule &&
      x.outboundRule === o.outboundRule &&
      (x.to + 1 === o.from || o.to + 1 === x.from || (x.from <= o.from && o.to <= x.to)),
  );
  if (!same) {
    openings.push(o);
    return;
  }
  same.from = Math.min(same.from, o.from);
  same.to = Math.max(same.to, o.to);
}

/** An index over a region's VPC data. */
export function vpcLookup(data: { subnets: Record<string, Subnet>; routeTables: Record<string, RouteTable>; networkAcls: Record<string, NetworkAcl> }): VpcLookup {
  const tables = new Map<string, RouteTable[]>();
  for (const t of Object.values(data.routeTables)) tables.set(t.vpcId, [...(tables.get(t.vpcId) ?? []), t]);
  const acls = new Map<string, NetworkAcl[]>();
  for (const a of Object.values(data.networkAcls)) acls.set(a.vpcId, [...(acls.get(a.vpcId) ?? []), a]);
  return {
    subnet: (id) => data.subnets[id],
    routeTables: (vpcId) => tables.get(vpcId) ?? [],
    networkAcls: (vpcId) => acls.get(vpcId) ?? [],
  };
}
