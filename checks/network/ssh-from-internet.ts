import { TYPES, type ClusterCheck, type EvalContext, type Outcome, type ResourceRef } from '../contract.js';
import { describeRule, groupLabel } from '../../lib/network/groups.js';
import { SSH_PORT, type InternetRule } from '../../lib/network/classify.js';
import { coversPort } from '../../lib/network/ports.js';
import { lookupInternetRules, reportOutcome } from '../../lib/network/internet.js';
import { instanceRef, lookupRunningInstances } from '../../lib/lookup.js';
import { describeInstance } from '../../lib/network/public-ips.js';
import type { Cluster } from '../../lib/snapshot.js';
import { complianceFor } from '../../lib/compliance.js';

/** EMR's default master group in public subnets; before December 2020 it came with tcp 22 from 0.0.0.0/0. */
const LEGACY_DEFAULT_GROUP = 'elasticmapreduce-master';

function describe(r: InternetRule): string {
  const legacy = r.group.groupName.toLowerCase() === LEGACY_DEFAULT_GROUP;
  return legacy ? `${describeRule(r.rule)} (on ElasticMapReduce-master: the rule EMR created by default before December 2020)` : describeRule(r.rule);
}

/** CRITICAL when a RUNNING node has a public IP: the open port is then reachable, not just permitted. */
function escalate(outcome: Outcome, cluster: Cluster, ctx: EvalContext): Outcome {
  const running = lookupRunningInstances(cluster, ctx);
  if (!running.ok) {
    return { ...outcome, message: `${outcome.message} Severity kept at HIGH: whether a node has a public IP address is unknown (${running.reason}).` };
  }
  const publicNodes = running.value.filter((i) => i.publicIpAddress);
  if (publicNodes.length === 0) {
    return { ...outcome, message: `${outcome.message} No running node has a public IP address.` };
  }
  const names = publicNodes.map(describeInstance);
  const instances: ResourceRef[] = publicNodes.flatMap((i) => (i.ec2InstanceId ? [instanceRef(i.ec2InstanceId, ctx)] : []));
  return {
    ...outcome,
    severity: 'CRITICAL',
    message: `${outcome.message} Nodes with a public IP address make it reachable from the internet: ${names.join(', ')}.`,
    resources: [...(outcome.resources ?? []), ...instances],
  };
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
    text: 'Delete the inbound tcp 22 rule from 0.0.0.0/0 or ::/0 (on ElasticMapReduce-master it is the old EMR default). Connect through Session Manager, or allow SSH only from specific CIDRs; list those in the EMR_AUDIT_TRUSTED_CIDRS setting.',
    url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-connect-ssh-prereqs.html',
  },
  permissions: ['elasticmapreduce:DescribeCluster', 'ec2:DescribeSecurityGroups', 'elasticmapreduce:ListInstances'],
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
        describe,
        failLead: 'SSH (tcp 22) is open to the internet',
        passVerb: 'allows SSH (tcp 22) from the internet',
        elsewhere: [{ checkId: 'network/all-traffic-from-internet', rules: found.value.rules.filter((r) => r.allTraffic && coversPort(r.rule, 'tcp', SSH_PORT)) }],
        ...(trusted.length > 0 ? { passNote: `Exempt as trusted CIDRs: ${trusted.map((r) => `${groupLabel(r.group)}: ${describeRule(r.rule)}`).join('; ')}.` } : {}),
      },
      ctx,
    );
    return [outcome.status === 'FAIL' ? escalate(outcome, cluster, ctx) : outcome];
  },
};
