import { TYPES, type ClusterCheck, type Outcome } from '../contract.js';
import { classifyInternetRules } from '../../lib/network/classify.js';
import { withReachability } from '../../lib/network/node-exposure.js';
import { clusterGroupIds, groupLabel, groupRefs, describeRule, lookupGroups, missingGroupsOutcome, missingNote, nodeGroupIds } from '../../lib/network/groups.js';
import { coversPort } from '../../lib/network/ports.js';
import { errorOutcome } from '../../lib/lookup.js';
import type { IngressRule, SecurityGroup } from '../../lib/snapshot.js';
import { complianceFor } from '../../lib/compliance.js';

const CLUSTER_MANAGER_PORT = 8443;

export const check: ClusterCheck = {
  id: 'network/cluster-manager-port-exposed',
  title: 'Cluster manager port 8443 reachable from outside the cluster and its service access group',
  severity: 'MEDIUM',
  scope: 'cluster',
  description:
    'In a private subnet only the EMR service, through the service access security group, needs the cluster manager port 8443; any other source can reach the instance controller that manages the nodes.',
  types: [TYPES.networkReachability],
  remediation: {
    text: 'On the master and core/task security groups, remove inbound rules covering tcp 8443 whose source is a CIDR, a prefix list or a group other than the service access group and the cluster\'s own groups. Keep the rule from the service access group that EMR manages.',
    url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-man-sec-groups.html',
  },
  permissions: [
    'elasticmapreduce:DescribeCluster',
    'ec2:DescribeSecurityGroups',
    // For a rule from the internet, whether tcp 8443 is reachable today (the FAIL message says it).
    // No prefix-list reads of its own: a prefix-list source is judged when the internet checks had
    // the lists read (a full run), and otherwise gets no reachability sentence (it stays unresolved).
    'elasticmapreduce:ListInstances',
    'ec2:DescribeInstances',
    'ec2:DescribeSubnets',
    'ec2:DescribeRouteTables',
    'ec2:DescribeNetworkAcls',
  ],
  settings: [],
  compliance: complianceFor('network/cluster-manager-port-exposed'),
  evaluate(cluster, ctx) {
    const serviceAccess = cluster.ec2?.serviceAccessSecurityGroup;
    if (!serviceAccess) {
      return [{ status: 'NOT_APPLICABLE', message: 'The cluster has no service access security group (it is not in a private subnet).' }];
    }
    // EMR's reflexive rules between the cluster's own groups (and from the service access group) are by design.
    const own = new Set(clusterGroupIds(cluster));
    const ids = nodeGroupIds(cluster);
    if (ids.length === 0) {
      return [errorOutcome('the master and core/task security groups', 'DescribeCluster reported none')];
    }
    const { groups, missing } = lookupGroups(ids, ctx);
    const exposed: Array<{ group: SecurityGroup; rule: IngressRule }> = [];
    for (const group of groups) {
      for (const rule of group.ingress) {
        if (!coversPort(rule, 'tcp', CLUSTER_MANAGER_PORT)) continue;
        if (rule.source.type === 'securityGroup' && own.has(rule.source.groupId)) continue;
        exposed.push({ group, rule });
      }
    }
    if (exposed.length > 0) {
      const list = exposed.map((e) => `${groupLabel(e.group)}: ${describeRule(e.rule)}`).join('; ');
      const outcome: Outcome = {
        status: 'FAIL',
        message: `Port ${CLUSTER_MANAGER_PORT} (EMR cluster manager) is reachable from sources other than the service access group ${serviceAccess} and the cluster's own groups: ${list}.${missingNote(missing)}`,
        resources: groupRefs(
          exposed.map((e) => e.group),
          ctx,
        ),
      };
      // Of the exposed rules, those from the internet: is tcp 8443 reachable through them today?
      const rules = new Set(exposed.map((e) => e.rule));
      const fromInternet = classifyInternetRules(groups, ctx.settings, ctx.region).filter((r) => r.unresolved === undefined && rules.has(r.rule));
      return [withReachability(outcome, cluster, ctx, fromInternet, () => [{ transport: 'tcp', from: CLUSTER_MANAGER_PORT, to: CLUSTER_MANAGER_PORT }]).outcome];
    }
    if (missing.length > 0) return [missingGroupsOutcome(missing)];
    return [
      {
        status: 'PASS',
        message: `Only the service access group ${serviceAccess} and the cluster's own groups reach tcp ${CLUSTER_MANAGER_PORT} on ${groups.map(groupLabel).join(', ')}.`,
      },
    ];
  },
};
