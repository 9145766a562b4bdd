/**
 * Which running nodes of a cluster the internet reaches today, through which security-group rule,
 * and what stops the rest: the shared logic of `exposure/internet-reachable-port` and of the
 * reachability sentence of the `network/*` findings (CHECKS.md). The path itself is decided by
 * ./reachability.ts; this module chooses each node's groups and rules, feeds the evaluator, keeps
 * its answers per region (several checks ask the same question about the same node), and words
 * the answers.
 *
 * Decisions where CHECKS.md leaves room:
 * - A node's groups are the ones on its network interfaces (EC2 `securityGroupIds`); without
 *   EC2's view they are the cluster's groups for its role (master groups for MASTER, core/task
 *   groups for CORE and TASK, both when the role is unknown: over-reporting a path is safer than
 *   missing one).
 * - Address first: a node without a public address cannot be reached whatever its groups or
 *   prefix lists hold, so a group or prefix list that could not be read is a gap only for a node
 *   with a public address (and the VPC data is never needed for the others: the collector reads it
 *   only for public nodes).
 * - Trusted CIDRs do not exempt a path: CHECKS.md exempts them from `network/ssh-from-internet`
 *   only (rule hygiene); a path from an internet-scale source is reachable whoever trusts it, so
 *   the path is reported and the message says the source is trusted.
 * - Only port-bearing rules (tcp, udp, all traffic) can open a port; ICMP and port-less protocols
 *   are left to `network/other-port-from-internet`.
 * - A VPC collection error fails closed: a subnet with a `subnet` error, or a VPC with a `vpc`
 *   error for its route tables (resp. network ACLs), is read as not collected even when some of
 *   its data is present (a partial listing could miss the explicit association or the deny).
 */
import { RecentMap } from '../recent.js';
import type { EvalContext, NetworkPath, Outcome, RegionView, ResourceRef } from '../../checks/contract.js';
import { describeErrors, groupRef, instanceRef, lookupRunningInstances, type Lookup } from '../lookup.js';
import type { Settings } from '../settings.js';
import type { Cluster, ClusterInstance, InstanceRole } from '../snapshot.js';
import type { Subnet } from '../snapshot-vpc.js';
import { classifyInternetRules, type InternetRule } from './classify.js';
import { groupLabel, lookupGroups, type MissingGroup } from './groups.js';
import { describeInternetRule } from './internet.js';
import { parseCidr } from './cidr.js';
import { portSpans, type PortSpan } from './ports.js';
import { prefixListLabel } from './prefix-lists.js';
import { nodeAddresses } from './public-ips.js';
import { nodeReachability, vpcLookup, type Blocked, type InternetIngress, type NodeAddressing, type NodeReachability, type Opening, type VpcLookup } from './reachability.js';
import { isTrustedCidr } from './sources.js';

/** A RUNNING node as the reachability questions need it, computed once per region. */
export interface NodeView {
  instance: ClusterInstance;
  /** The EC2 instance id, else EMR's (`ci-…`). */
  id: string;
  /** Public IPv4 and IPv6 addresses (ListInstances and EC2). */
  addresses: string[];
  /** Why EC2's view of the node (subnet, groups, Elastic IP, IPv6) is missing; absent when it was read. */
  unknown?: string;
  groupIds: string[];
  /** `instance`: the groups on its interfaces (EC2); `cluster`: the cluster's groups for its role. */
  groupsFrom: 'instance' | 'cluster';
  missingGroups: MissingGroup[];
  /** Rules from the internet of its groups (CIDR or prefix-list entries). */
  rules: InternetRule[];
  /** Rules whose prefix list could not be judged. */
  unresolved: InternetRule[];
  addressing: NodeAddressing;
  subnet?: Subnet;
}

export interface ExposedPath {
  node: NodeView;
  rule: InternetRule;
  opening: Opening;
}

export interface BlockedPath {
  node: NodeView;
  rule: InternetRule;
  blocked: Blocked;
}

/** A part of the path (or of the node) that could not be read. */
export interface ExposureGap {
  nodeId: string;
  what: string;
}

export interface ClusterExposure {
  /** Every RUNNING node. */
  nodes: NodeView[];
  /** Open paths, most exposed first. */
  paths: ExposedPath[];
  blocked: BlockedPath[];
  gaps: ExposureGap[];
  /** Nodes that carry a considered rule but have no public address. */
  privateNodes: NodeView[];
  /** Nodes none of whose groups carries a considered rule. */
  withoutRules: NodeView[];
}

/** Which rules, and which of their ports, a question is about. */
export interface ExposureSelection {
  /** Only these rules (the ones a network/* check reports); default every internet rule of the node's groups. */
  rules?: ReadonlySet<InternetRule>;
  /** The ports of a rule the question is about (tcp 22 for SSH); default the whole rule. */
  ports?: (rule: InternetRule) => readonly PortSpan[];
}

// ---------------------------------------------------------------- the region's memo

/** What is worked out for one cluster's nodes: their views, and how each rule reaches each. */
interface ClusterMemo {
  nodes: Map<string, NodeView>;
  reach: Map<string, NodeReachability>;
}

interface RegionMemo {
  lookup: VpcLookup;
  /**
   * The clusters evaluated last, by id: the engine evaluates a cluster's checks one after the other,
   * so a few are enough, and a fleet of thousands never holds every node's answers at once.
   */
  clusters: RecentMap<string, ClusterMemo>;
  ruleIds: WeakMap<InternetRule, number>;
  nextRuleId: number;
}

/*
 * Keyed by the RegionView (one per region and evaluation) and the settings object (the rules from
 * the internet depend on it): the network/* checks and the reachability check of one run share
 * the answers, and nothing outlives the evaluation. Checks stay pure: the memo only caches a pure
 * function of (view, settings).
 */
const memos = new WeakMap<RegionView, WeakMap<Settings, RegionMemo>>();

/** A cluster asked about again later is worked out again: slower, never different. */
const MAX_REMEMBERED_CLUSTERS = 4;

function clusterMemo(memo: RegionMemo, cluster: Cluster): ClusterMemo {
  let own = memo.clusters.get(cluster.id);
  if (!own) {
    own = { nodes: new Map(), reach: new Map() };
    memo.clusters.set(cluster.id, own);
  }
  return own;
}

function memoOf(ctx: EvalContext): RegionMemo {
  let bySettings = memos.get(ctx.region);
  if (!bySettings) {
    bySettings = new WeakMap();
    memos.set(ctx.region, bySettings);
  }
  let memo = bySettings.get(ctx.settings);
  if (!memo) {
    memo = { lookup: guardedLookup(ctx.region), clusters: new RecentMap(MAX_REMEMBERED_CLUSTERS), ruleIds: new WeakMap(), nextRuleId: 0 };
    bySettings.set(ctx.settings, memo);
  }
  return memo;
}

const NOTHING: VpcLookup = { subnet: () => undefined, routeTables: () => [], networkAcls: () => [] };

/** The region's VPC index (built once), reading a subnet or VPC with a collection error as absent. */
function guardedLookup(view: RegionView): VpcLookup {
  const data = view.snapshot.vpc;
  if (!data) return NOTHING;
  const base = vpcLookup(data);
  const failed = (vpcId: string, api: 'RouteTables' | 'NetworkAcls'): boolean =>
    // An error naming neither call counts against both (fail closed).
    view.errorsFor('vpc', vpcId).some((e) => e.api.includes(api) || !(e.api.includes('RouteTables') || e.api.includes('NetworkAcls')));
  return {
    subnet: (id) => (view.errorsFor('subnet', id).length > 0 ? undefined : base.subnet(id)),
    routeTables: (vpcId) => (failed(vpcId, 'RouteTables') ? [] : base.routeTables(vpcId)),
    networkAcls: (vpcId) => (failed(vpcId, 'NetworkAcls') ? [] : base.networkAcls(vpcId)),
  };
}

// ---------------------------------------------------------------- nodes

const unique = (ids: ReadonlyArray<string | undefined>): string[] => [...new Set(ids.filter((id): id is string => typeof id === 'string' && id.length > 0))];

/** The cluster's groups for a node role (CHECKS.md cluster security groups, without service access). */
export function roleGroupIds(cluster: Cluster, role: InstanceRole | undefined): string[] {
  const ec2 = cluster.ec2;
  if (!ec2) return [];
  const master = [ec2.emrManagedMasterSecurityGroup, ...ec2.additionalMasterSecurityGroups];
  const slave = [ec2.emrManagedSlaveSecurityGroup, ...ec2.additionalSlaveSecurityGroups];
  return unique(role === 'MASTER' ? master : role === undefined ? [...master, ...slave] : slave);
}

function nodeView(cluster: Cluster, instance: ClusterInstance, ctx: EvalContext, memo: RegionMemo, own: ClusterMemo): NodeView {
  const key = instance.id;
  const cached = own.nodes.get(key);
  if (cached) return cached;
  const known = nodeAddresses(instance, ctx);
  const ec2 = instance.ec2InstanceId ? ctx.region.snapshot.ec2Instances[instance.ec2InstanceId] : undefined;
  const fromInstance = ec2?.securityGroupIds !== undefined && ec2.securityGroupIds.length > 0;
  const groupIds = fromInstance ? unique(ec2.securityGroupIds ?? []) : roleGroupIds(cluster, instance.role);
  const { groups, missing } = lookupGroups(groupIds, ctx);
  const all = classifyInternetRules(groups, ctx.settings, ctx.region);
  const ipv4 = ec2?.publicIpAddress ?? instance.publicIpAddress;
  const addressing: NodeAddressing = {
    instanceId: instance.ec2InstanceId ?? instance.id,
    ...(ec2?.subnetId ? { subnetId: ec2.subnetId } : {}),
    ...(ipv4 ? { publicIpv4: ipv4 } : {}),
    ipv6Addresses: ec2?.ipv6Addresses ?? [],
  };
  const subnet = ec2?.subnetId ? memo.lookup.subnet(ec2.subnetId) : undefined;
  const view: NodeView = {
    instance,
    id: instance.ec2InstanceId ?? instance.id,
    addresses: known.addresses,
    ...(known.unknown !== undefined ? { unknown: known.unknown } : {}),
    groupIds,
    groupsFrom: fromInstance ? 'instance' : 'cluster',
    missingGroups: missing,
    rules: all.filter((r) => r.unresolved === undefined && portSpans(r.rule).length > 0),
    unresolved: all.filter((r) => r.unresolved !== undefined),
    addressing,
    ...(subnet ? { subnet } : {}),
  };
  own.nodes.set(key, view);
  return view;
}

// ---------------------------------------------------------------- rules → evaluator

function ruleSources(rule: InternetRule): string[] {
  if (rule.via) return rule.via.entries;
  const s = rule.rule.source;
  return s.type === 'cidr4' || s.type === 'cidr6' ? [s.cidr] : [];
}

/** The part of `rule` within `wanted`, as port spans. */
function clip(rule: InternetRule, wanted: readonly PortSpan[] | undefined): PortSpan[] {
  const spans = portSpans(rule.rule);
  if (!wanted) return spans;
  const out: PortSpan[] = [];
  for (const s of spans) {
    for (const w of wanted) {
      if (w.transport !== s.transport) continue;
      const from = Math.max(s.from, w.from);
      const to = Math.min(s.to, w.to);
      if (from <= to) out.push({ transport: s.transport, from, to });
    }
  }
  return out;
}

function reachOf(node: NodeView, rule: InternetRule, spans: readonly PortSpan[], memo: RegionMemo, own: ClusterMemo): NodeReachability {
  let id = memo.ruleIds.get(rule);
  if (id === undefined) {
    id = memo.nextRuleId++;
    memo.ruleIds.set(rule, id);
  }
  const key = `${node.instance.id}\u0000${id}\u0000${spans.map((s) => `${s.transport}${s.from}-${s.to}`).join(',')}`;
  const cached = own.reach.get(key);
  if (cached) return cached;
  const sources = ruleSources(rule);
  const label = `${groupLabel(rule.group)}: ${describeInternetRule(rule)}`;
  const ingress: InternetIngress[] = spans.map((s) => ({ groupId: rule.group.groupId, label, rule: { protocol: s.transport, fromPort: s.from, toPort: s.to }, sources }));
  const result = nodeReachability(node.addressing, ingress, memo.lookup);
  own.reach.set(key, result);
  return result;
}

/** What could not be read of a node's path, with the collection errors behind it. */
function explainGap(what: string, node: NodeView, ctx: EvalContext): string {
  const view = ctx.region;
  if (!view.snapshot.vpc) return 'VPC data was not collected (subnets, route tables and network ACLs: a snapshot made before the reachability check, or a run whose checks did not need it)';
  const subnetId = node.addressing.subnetId;
  if (subnetId && what.startsWith('subnet ')) return `${what}: ${describeErrors(view.errorsFor('subnet', subnetId))}`;
  const vpcId = node.subnet?.vpcId;
  if (vpcId && (what.includes('route table') || what.includes('network ACL'))) {
    const api = what.includes('route table') ? 'RouteTables' : 'NetworkAcls';
    const errors = view.errorsFor('vpc', vpcId).filter((e) => e.api.includes(api) || !(e.api.includes('RouteTables') || e.api.includes('NetworkAcls')));
    return `${what}: ${describeErrors(errors)}`;
  }
  return what;
}

/**
 * The cluster's RUNNING nodes and how the internet reaches them through the selected rules; an
 * error only when the nodes themselves are unknown (everything else is a gap beside what is known).
 */
export function clusterExposure(cluster: Cluster, ctx: EvalContext, selection: ExposureSelection = {}): Lookup<ClusterExposure> {
  const running = lookupRunningInstances(cluster, ctx);
  if (!running.ok) return running;
  const memo = memoOf(ctx);
  const own = clusterMemo(memo, cluster);
  const out: ClusterExposure = { nodes: [], paths: [], blocked: [], gaps: [], privateNodes: [], withoutRules: [] };
  // A question about given rules is about those rules only: other groups and lists do not matter to it.
  const wholeNode = selection.rules === undefined;
  const gap = (node: NodeView, what: string): void => {
    out.gaps.push({ nodeId: node.id, what });
  };
  for (const instance of running.value) {
    const node = nodeView(cluster, instance, ctx, memo, own);
    out.nodes.push(node);
    const rules = node.rules.filter((r) => (selection.rules ? selection.rules.has(r) : true)).filter((r) => clip(r, selection.ports?.(r)).length > 0);
    const unknownGroups = wholeNode && (node.missingGroups.length > 0 || node.unresolved.length > 0 || node.groupIds.length === 0);
    if (rules.length === 0 && !unknownGroups) {
      out.withoutRules.push(node);
      continue;
    }
    if (!instance.ec2InstanceId) {
      gap(node, `the EC2 instance of ${node.id} (EMR reports no EC2 instance id for it)`);
      continue;
    }
    if (node.addresses.length === 0) {
      if (node.unknown !== undefined) gap(node, `the public addresses of ${node.id}: ${node.unknown}`);
      else out.privateNodes.push(node);
      continue;
    }
    if (wholeNode) {
      if (node.groupIds.length === 0) gap(node, `the security groups of ${node.id} (neither EC2 nor DescribeCluster named any)`);
      for (const m of node.missingGroups) gap(node, `security group ${m.groupId} of ${node.id}: ${m.reason}`);
      for (const r of node.unresolved) gap(node, `${groupLabel(r.group)}: ${describeInternetRule(r)} on ${node.id} — ${r.unresolved ?? 'unknown'}`);
    }
    if (node.unknown !== undefined) {
      gap(node, `the subnet and security groups of ${node.id} (EC2 DescribeInstances): ${node.unknown}`);
      continue;
    }
    for (const rule of rules) {
      const reach = reachOf(node, rule, clip(rule, selection.ports?.(rule)), memo, own);
      for (const opening of reach.openings) out.paths.push({ node, rule, opening });
      for (const blocked of reach.blocked) out.blocked.push({ node, rule, blocked });
      for (const g of reach.gaps) gap(node, explainGap(g.what, node, ctx));
    }
  }
  out.paths.sort(byExposure);
  return { ok: true, value: out };
}

/** Most exposed first: more ports, then IPv4, then the lower port. */
function byExposure(a: ExposedPath, b: ExposedPath): number {
  const width = (p: ExposedPath): number => p.opening.to - p.opening.from;
  return width(b) - width(a) || (a.opening.family === b.opening.family ? 0 : a.opening.family === 'ipv4' ? -1 : 1) || a.opening.from - b.opening.from;
}

// ---------------------------------------------------------------- structured output

export function networkPath(p: ExposedPath): NetworkPath {
  const o = p.opening;
  return {
    instanceId: p.node.id,
    family: o.family,
    address: o.address,
    protocol: o.transport,
    fromPort: o.from,
    toPort: o.to,
    sourceCidrs: ruleSources(p.rule).filter((c) => parseCidr(c)?.family === o.family),
    ...(p.rule.via ? { prefixListId: p.rule.via.prefixListId } : {}),
    securityGroupId: p.rule.group.groupId,
    networkAclId: o.networkAclId,
    inboundRule: o.inboundRule,
    outboundRule: o.outboundRule,
    routeTableId: o.routeTableId,
    gatewayId: o.gatewayId,
    subnetId: p.node.addressing.subnetId ?? '',
  };
}

export function networkPaths(paths: readonly ExposedPath[]): NetworkPath[] {
  return paths.map(networkPath);
}

/** The groups, instances, subnets, route tables and network ACLs of the paths, each once. */
export function pathResources(paths: readonly ExposedPath[], ctx: EvalContext): ResourceRef[] {
  const r = ctx.region;
  const arn = (type: string, id: string): string => `arn:${r.partition}:ec2:${r.region}:${r.accountId}:${type}/${id}`;
  const seen = new Set<string>();
  const out: ResourceRef[] = [];
  const add = (ref: ResourceRef): void => {
    if (seen.has(`${ref.type}\u0000${ref.id}`)) return;
    seen.add(`${ref.type}\u0000${ref.id}`);
    out.push(ref);
  };
  for (const p of paths) add(groupRef(p.rule.group, ctx));
  for (const p of paths) add(instanceRef(p.node.id, ctx));
  for (const p of paths) {
    const subnetId = p.node.addressing.subnetId;
    if (subnetId) add({ type: 'AwsEc2Subnet', id: subnetId, arn: arn('subnet', subnetId) });
    add({ type: 'AwsEc2RouteTable', id: p.opening.routeTableId, arn: arn('route-table', p.opening.routeTableId) });
    add({ type: 'AwsEc2NetworkAcl', id: p.opening.networkAclId, arn: arn('network-acl', p.opening.networkAclId) });
  }
  return out;
}

// ---------------------------------------------------------------- wording

/** How many items a sentence names before "and N more": a finding description holds 1,024 characters. */
const NAMED = 3;

function bounded(items: readonly string[], max = NAMED): string {
  const shown = items.slice(0, max).join('; ');
  return items.length > max ? `${shown}; and ${items.length - max} more` : shown;
}

const dedupe = (items: readonly string[]): string[] => [...new Set(items)];

function portText(o: Pick<Opening, 'transport' | 'from' | 'to'>): string {
  return o.from === o.to ? `${o.transport} ${o.from}` : `${o.transport} ${o.from}-${o.to}`;
}

function sourceText(rule: InternetRule, family: Opening['family']): string {
  const cidrs = ruleSources(rule).filter((c) => parseCidr(c)?.family === family);
  if (!rule.via) return cidrs.join(', ');
  return `prefix list ${prefixListLabel(rule.via)}, ${cidrs.length === 1 ? 'entry' : 'entries'} ${cidrs.join(', ')}`;
}

/**
 * `i-1 (54.1.2.3) tcp 22 from 0.0.0.0/0 through igw-1 (route table rtb-1, network ACL acl-1 inbound
 * rule 100, outbound rule 100, security group sg-1 (name))`; the group's rule is named too when it
 * is wider than what is open (tcp 0-9000 of which the ACL admits 8081-9000).
 */
export function describePath(p: ExposedPath, settings?: Pick<Settings, 'trustedCidrs'>): string {
  const o = p.opening;
  const open = `${portText(o)} from ${sourceText(p.rule, o.family)}`;
  const rule = describeInternetRule(p.rule);
  const trusted = settings !== undefined && ruleSources(p.rule).every((c) => isTrustedCidr(c, settings.trustedCidrs)) ? ' (its source is a trusted CIDR: that exempts it from network/ssh-from-internet, not from reachability)' : '';
  return `${p.node.id} (${o.address}) ${open} through ${o.gatewayId} (route table ${o.routeTableId}, network ACL ${o.networkAclId} inbound rule ${o.inboundRule}, outbound rule ${o.outboundRule}, security group ${groupLabel(p.rule.group)}${rule === open ? '' : ` rule ${rule}`})${trusted}`;
}

/**
 * The narrowest change that closes each path, in this order, because each step touches fewer
 * other resources than the next:
 * 1. the security-group rule, when only this cluster uses the group: revoking or narrowing it
 *    changes these nodes only;
 * 2. a network ACL deny for that port and source, placed before the entry that admits it: it
 *    leaves every other port and source of the subnet as it is, and the group's other users (the
 *    first choice when the group is shared, or when its rule is needed inside the VPC);
 * 3. the node itself: a private subnet behind NAT, or its public address released (a relaunch
 *    for EMR, so last).
 * Paths that share the rule, the address family and the ACL entry share one fix (its ports listed).
 */
export function describeFixes(paths: readonly ExposedPath[], cluster: Cluster, ctx: EvalContext): string {
  const groups = new Map<string, ExposedPath[]>();
  for (const p of paths) {
    const o = p.opening;
    const key = `${p.rule.group.groupId}\u0000${describeInternetRule(p.rule)}\u0000${o.family}\u0000${o.networkAclId}\u0000${o.inboundRule}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const fixes = [...groups.values()].map((same) => {
    const { rule, opening: o } = same[0]!;
    const nodes = dedupe(same.map((p) => p.node.id));
    const ports = dedupe(same.map((p) => portText(p.opening))).join(', ');
    const others = ctx.region.clustersUsingGroup(rule.group.groupId).filter((u) => u.cluster.id !== cluster.id).length;
    const sg = `revoke or narrow the rule ${describeInternetRule(rule)} of ${groupLabel(rule.group)}${others > 0 ? ` (shared with ${others} other cluster${others === 1 ? '' : 's'}, which it would change too)` : ''}`;
    const cidrs = ruleSources(rule).filter((c) => parseCidr(c)?.family === o.family);
    const acl =
      o.inboundRule > 1
        ? `add an inbound deny for ${ports} from ${cidrs.join(', ')} to ${o.networkAclId} with a rule number below ${o.inboundRule}`
        : `replace rule ${o.inboundRule} of ${o.networkAclId}, which admits ${ports} from ${cidrs.join(', ')}`;
    const subnets = dedupe(same.map((p) => p.node.subnet?.mapPublicIpOnLaunch === true && p.opening.family === 'ipv4' ? p.node.subnet.subnetId : '').filter(Boolean));
    const node =
      o.family === 'ipv6'
        ? `remove the global IPv6 address of ${nodes.join(', ')} (or move ${nodes.length === 1 ? 'it' : 'them'} to a subnet whose ::/0 route goes to an egress-only gateway)`
        : subnets.length > 0
          ? `move ${nodes.join(', ')} to a private subnet behind a NAT gateway (${subnets.join(', ')} ${subnets.length === 1 ? 'assigns' : 'assign'} public IPv4 addresses on launch)`
          : `release the public IPv4 address of ${nodes.join(', ')} (disassociate the Elastic IP) or move ${nodes.length === 1 ? 'it' : 'them'} to a private subnet behind a NAT gateway`;
    const order = others > 0 ? [acl, sg, node] : [sg, acl, node];
    return `${nodes.join(', ')} ${ports}: ${order.join('; or ')}`;
  });
  return bounded(fixes, 2);
}

/** Gaps grouped by what is missing: `VPC data was not collected (i-1, i-2)`. */
export function describeGaps(gaps: readonly ExposureGap[]): string {
  const byWhat = new Map<string, string[]>();
  for (const g of gaps) byWhat.set(g.what, dedupe([...(byWhat.get(g.what) ?? []), g.nodeId]));
  return bounded(
    [...byWhat.entries()].map(([what, nodes]) => (what.includes(nodes[0]!) ? what : `${what} (${nodes.join(', ')})`)),
    4,
  );
}

/**
 * Why nothing is reachable, each reason once: what blocks each rule, which nodes have no public
 * address, which carry none of the rules.
 */
export function describeBlocked(exp: ClusterExposure, noRules: { all: string; some: (nodeIds: readonly string[]) => string }): string {
  if (exp.nodes.length === 0) return 'no node of the cluster is running';
  // Route and ACL reasons first (they name what to change), then the nodes without a public address.
  const reasons = dedupe([...exp.blocked.filter((b) => b.blocked.stage !== 'address'), ...exp.blocked.filter((b) => b.blocked.stage === 'address')].map((b) => b.blocked.reason));
  const noAddress = exp.privateNodes.map((n) => n.id);
  const considered = exp.nodes.length - exp.withoutRules.length;
  if (reasons.length === 0 && noAddress.length > 0 && noAddress.length === considered && exp.withoutRules.length === 0) {
    reasons.push('no running node has a public address');
  } else if (noAddress.length > 0) {
    reasons.push(`${noAddress.join(', ')} ${noAddress.length === 1 ? 'has' : 'have'} no public address`);
  }
  if (exp.withoutRules.length > 0) {
    reasons.push(exp.withoutRules.length === exp.nodes.length ? noRules.all : noRules.some(exp.withoutRules.map((n) => n.id)));
  }
  return bounded(reasons, 5);
}

/** The nodes with public addresses among the paths: `i-1 (54.1.2.3)`. */
export function publicNodeText(nodes: readonly NodeView[]): string {
  return nodes.map((n) => (n.addresses.length > 0 ? `${n.id} (${n.addresses.join(', ')})` : n.id)).join(', ');
}

/**
 * The sentence a network/* FAIL ends with: whether its port(s) are reachable from the internet
 * today, through what (and the narrowest fix), or what blocks them, or what could not be read.
 */
export function reachabilitySentence(cluster: Cluster, ctx: EvalContext, reported: readonly InternetRule[], ports?: (rule: InternetRule) => readonly PortSpan[]): { text: string; exposure?: ClusterExposure; reachable: boolean; unknown: boolean } {
  // Port-less protocols (GRE, ESP) open no port: reachability is a question about ports.
  const portable = reported.filter((r) => portSpans(r.rule).length > 0);
  if (portable.length === 0) return { text: '', reachable: false, unknown: false };
  const found = clusterExposure(cluster, ctx, { rules: new Set(portable), ...(ports ? { ports } : {}) });
  if (!found.ok) return { text: ` Whether it is reachable from the internet today is unknown: ${found.reason}.`, reachable: false, unknown: true };
  const exp = found.value;
  const groups = dedupe(portable.map((r) => groupLabel(r.group)));
  if (exp.paths.length > 0) {
    const gaps = exp.gaps.length > 0 ? ` Not examined: ${describeGaps(exp.gaps)}.` : '';
    return {
      text: ` Reachable from the internet today: ${bounded(exp.paths.map((p) => describePath(p)))}.${gaps} Narrowest fix: ${describeFixes(exp.paths, cluster, ctx)}.`,
      exposure: exp,
      reachable: true,
      unknown: false,
    };
  }
  if (exp.gaps.length > 0) return { text: ` Whether it is reachable from the internet today is unknown: ${describeGaps(exp.gaps)}.`, exposure: exp, reachable: false, unknown: true };
  const carried = {
    all: `no running node carries ${groups.join(', ')}`,
    some: (ids: readonly string[]) => `${ids.join(', ')} ${ids.length === 1 ? 'does' : 'do'} not carry ${groups.join(', ')}`,
  };
  return { text: ` Not reachable from the internet today: ${describeBlocked(exp, carried)}.`, exposure: exp, reachable: false, unknown: false };
}

/** What the reachability sentence decided, beside the outcome it was appended to. */
export interface Reachability {
  outcome: Outcome;
  reachable: boolean;
  unknown: boolean;
  exposure?: ClusterExposure;
}

/**
 * A network/* FAIL with its reachability sentence appended, and, when a reported port is
 * reachable, the path's resources and structured paths. Any other outcome is returned as it is:
 * the sentence is about the rules a FAIL reports.
 */
export function withReachability(outcome: Outcome, cluster: Cluster, ctx: EvalContext, reported: readonly InternetRule[], ports?: (rule: InternetRule) => readonly PortSpan[]): Reachability {
  if (outcome.status !== 'FAIL' || reported.length === 0) return { outcome, reachable: false, unknown: false };
  const s = reachabilitySentence(cluster, ctx, reported, ports);
  const paths = s.exposure?.paths ?? [];
  const resources = paths.length > 0 ? mergeRefs(outcome.resources ?? [], pathResources(paths, ctx)) : outcome.resources;
  return {
    outcome: { ...outcome, message: `${outcome.message}${s.text}`, ...(resources ? { resources } : {}), ...(paths.length > 0 ? { network: networkPaths(paths) } : {}) },
    reachable: s.reachable,
    unknown: s.unknown,
    ...(s.exposure ? { exposure: s.exposure } : {}),
  };
}

function mergeRefs(a: readonly ResourceRef[], b: readonly ResourceRef[]): ResourceRef[] {
  const out = [...a];
  for (const r of b) if (!out.some((x) => x.type === r.type && x.id === r.id)) out.push(r);
  return out;
}
