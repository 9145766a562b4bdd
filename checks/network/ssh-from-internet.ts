import { TYPES, type ClusterCheck, type EvalContext, type Outcome } from '../contract.js';
import { groupLabel } from '../../lib/network/groups.js';
import { SSH_PORT, type InternetRule } from '../../lib/network/classify.js';
import { coversPort } from '../../lib/network/ports.js';
import { describeInternetRule, lookupInternetRules, reportOutcome } from '../../lib/network/internet.js';
import { lookupRunningInstances } from '../../lib/lookup.js';
import { describeNode, describeUnknownNodes, nodeAddresses, nodeRefs } from '../../lib/network/public-ips.js';
import type { Cluster } from '../../lib/snapshot.js';
import { complianceFor } from '../../lib/compliance.js';

/** EMR's default master group in public subnets; before December 2020 it came with tcp 22 from 0.0.0.0/0. */
const LEGACY_DEFAULT_GROUP = 'elasticmapreduce-master';

function describe(r: InternetRule): string {
  const legacy = r.group.groupName.toLowerCase() === LEGACY_DEFAULT_GROUP;
  return legacy ? `${describeInternetRule(r)} (on ElasticMapReduce-master: the rule EMR created by default before December 2020)` : describeInternetRule(r);
}

/**
 * CRITICAL when a RUNNING node has a public address (ListInstances, EC2 Elastic IP or global IPv6):
 * the open port is then reachable, not just permitted. When the addresses could not be read, the
 * severity stays CRITICAL (fail closed): missing data must not lower a finding.
 */
function escalate(outcome: Outcome, cluster: Cluster, ctx: EvalContext): Outcome {
  const running = lookupRunningInstances(cluster, ctx);
  if (!running.ok) {
    return {
      ...outcome,
      severity: 'CRITICAL',
      message: `${outcome.message} Severity CRITICAL (fail closed): whether a node has a public IP address is unknown (${running.reason}).`,
    };
  }
  const nodes = running.value.map((i) => nodeAddresses(i, ctx));
  const publicNodes = nodes.filter((n) => n.addresses.length > 0);
  if (publicNodes.length > 0) {
    return {
      ...outcome,
      severity: 'CRITICAL',
      message: `${outcome.message} Nodes with a public IP address make it reachable from the internet: ${publicNodes.map(describeNode).join(', ')}.`,
      resources: [...(outcome.resources ?? []), ...nodeRefs(publicNodes, ctx)],
    };
  }
  const unknown = nodes.filter((n) => n.unknown !== undefined);
  if (unknown.length > 0) {
    return {
      ...outcome,
      severity: 'CRITICAL',
      message: `${outcome.message} Severity CRITICAL (fail closed): the public addresses of some running nodes are unknown (${describeUnknownNodes(unknown)}).`,
      resources: [...(outcome.resources ?? []), ...nodeRefs(unknown, ctx)],
    };
  }
  return { ...outcome, message: `${outcome.message} No running node has a public IP address.` };
}

export const check: ClusterCheck = {
  id: 'network/ssh-from-internet',
  title: 'SSH (tcp 22) open to the internet on a cluster security group',
  severity: 'HIGH',
  scope: 'cluster',
  description:
    'SSH open to the internet exposes every node to password and key brute-forcing and to SSH vulnerabilities; EMR created exactly this rule in ElasticMapReduce-master before December 2020.',
  types: [TYPES.networkReachability],
  remediation: {
    text: 'Delete the inbound tcp 22 rule from the internet (0.0.0.0/0, ::/0, an internet-scale CIDR such as 0.0.0.0/1 or 52.0.0.0/8, or a customer-managed prefix list holding one) (on ElasticMapReduce-master it is the old EMR default). Connect through Session Manager, or allow SSH only from specific CIDRs; list those in the EMR_AUDIT_TRUSTED_CIDRS setting.',
    url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-connect-ssh-prereqs.html',
  },
  permissions: [
    'elasticmapreduce:DescribeCluster',
    'ec2:DescribeSecurityGroups',
    'ec2:DescribeManagedPrefixLists',
    'ec2:GetManagedPrefixListEntries',
    'elasticmapreduce:ListInstances',
    'ec2:DescribeInstances',
  ],
  settings: ['trustedCidrs', 'widePublicCidrPrefixV4', 'widePublicCidrPrefixV6'],
  compliance: complianceFor('network/ssh-from-internet'),
  evaluate(cluster, ctx) {
    const found = lookupInternetRules(cluster, ctx);
    if (!found.ok) return [found.outcome];
    const trusted = found.value.rules.filter((r) => r.sshTrusted);
    const outcome = reportOutcome(
      found.value,
      {
        reported: found.value.rules.filter((r) => r.ssh),
        unresolved: found.value.unresolved.filter((r) => r.ssh),
        describe,
        failLead: 'SSH (tcp 22) is open to the internet',
        passVerb: 'allows SSH (tcp 22) from the internet',
        elsewhere: [{ checkId: 'network/all-traffic-from-internet', rules: found.value.rules.filter((r) => r.allTraffic && coversPort(r.rule, 'tcp', SSH_PORT)) }],
        ...(trusted.length > 0 ? { passNote: `Exempt as trusted CIDRs: ${trusted.map((r) => `${groupLabel(r.group)}: ${describeInternetRule(r)}`).join('; ')}.` } : {}),
      },
      ctx,
    );
    return [outcome.status === 'FAIL' ? escalate(outcome, cluster, ctx) : outcome];
  },
};
