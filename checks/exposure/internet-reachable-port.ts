import { TYPES, type ClusterCheck, type Outcome, type ResourceRef } from '../contract.js';
import { INTERNET_RULE_PERMISSIONS, REACHABILITY_PERMISSIONS } from '../../lib/network/internet.js';
import { errorOutcome, groupRef, instanceRef } from '../../lib/lookup.js';
import { clusterExposure, describeBlocked, describeFixes, describeGaps, describePath, networkPaths, pathResources } from '../../lib/network/node-exposure.js';
import { complianceFor } from '../../lib/compliance.js';

/** Paths a FAIL message names before "and N more" (every path is in the structured `network` field). */
const NAMED_PATHS = 3;

/**
 * One outcome per cluster. A path known to be open is a FAIL even when another node's path could
 * not be read: hiding a certain exposure of node A behind an ERROR about node B would delay the
 * fix that matters; the FAIL names what was not examined, and the finding's other parts stay
 * visible in the message. Only when nothing is known to be open does a gap make the result ERROR
 * (never PASS).
 */
export const check: ClusterCheck = {
  id: 'exposure/internet-reachable-port',
  title: 'A port of a running node is reachable from the internet',
  severity: 'CRITICAL',
  scope: 'cluster',
  description:
    'A node with a public address, in a subnet routed to an internet gateway, whose network ACL and security group both admit a port from the internet, is reachable by anyone today: the path is checked end to end (route table, network ACL in and out, security group), IPv4 and IPv6 apart.',
  types: [TYPES.networkReachability],
  remediation: {
    text: 'Close each path at its narrowest point: revoke or narrow the security-group rule (if only this cluster uses the group); else add an inbound network ACL deny for that port and source numbered below the entry that admits it; else move the node to a private subnet behind a NAT gateway or release its public address (a subnet that maps public IPv4 addresses on launch gives them to every node).',
    url: 'https://docs.aws.amazon.com/vpc/latest/userguide/infrastructure-security.html',
  },
  // Without the EC2 tag on a node, its cluster's groups and fleets say its role (the fallback listings).
  permissions: [...INTERNET_RULE_PERMISSIONS, ...REACHABILITY_PERMISSIONS, 'elasticmapreduce:ListInstanceGroups', 'elasticmapreduce:ListInstanceFleets'],
  settings: ['trustedCidrs', 'widePublicCidrPrefixV4', 'widePublicCidrPrefixV6'],
  compliance: complianceFor('exposure/internet-reachable-port'),
  evaluate(cluster, ctx): Outcome[] {
    const found = clusterExposure(cluster, ctx);
    if (!found.ok) return [errorOutcome("the cluster's instances", found.reason)];
    const exp = found.value;
    if (exp.nodes.length === 0) return [{ status: 'NOT_APPLICABLE', message: 'The cluster has no RUNNING node yet.' }];
    if (exp.paths.length > 0) {
      const nodes = new Set(exp.paths.map((p) => p.node.id));
      const shown = exp.paths.slice(0, NAMED_PATHS).map((p) => describePath(p, ctx.settings));
      const more = exp.paths.length > NAMED_PATHS ? `; and ${exp.paths.length - NAMED_PATHS} more` : '';
      const gaps = exp.gaps.length > 0 ? ` Not examined (could not be read): ${describeGaps(exp.gaps)}.` : '';
      return [
        {
          status: 'FAIL',
          message: `${nodes.size === 1 ? 'A running node is' : `${nodes.size} running nodes are`} reachable from the internet: ${shown.join('; ')}${more}. Narrowest fix: ${describeFixes(exp.paths, cluster, ctx)}.${gaps}`,
          resources: pathResources(exp.paths, ctx),
          network: networkPaths(exp.paths),
        },
      ];
    }
    if (exp.gaps.length > 0) {
      const refs: ResourceRef[] = [];
      const unread = exp.nodes.filter((n) => exp.gaps.some((g) => g.nodeId === n.id));
      for (const n of unread) if (n.instance.ec2InstanceId) refs.push(instanceRef(n.instance.ec2InstanceId, ctx));
      for (const n of unread) for (const m of n.missingGroups) if (!refs.some((r) => r.id === m.groupId)) refs.push(groupRef({ groupId: m.groupId }, ctx));
      return [{ status: 'ERROR', message: `Could not evaluate: a part of the path from the internet could not be read — ${describeGaps(exp.gaps)}.`, resources: refs }];
    }
    return [
      {
        status: 'PASS',
        message: `No port of a running node is reachable from the internet: ${describeBlocked(exp, {
          all: 'no security group of the running nodes has a rule from the internet',
          some: (ids) => `no security group of ${ids.join(', ')} has a rule from the internet`,
        })}.`,
      },
    ];
  },
};
