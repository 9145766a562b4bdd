import { TYPES, type ClusterCheck, type EvalContext, type Outcome } from '../contract.js';
import { groupLabel } from '../../lib/network/groups.js';
import { SSH_PORT, type InternetRule } from '../../lib/network/classify.js';
import { coversPort } from '../../lib/network/ports.js';
import { describeInternetRule, lookupInternetRules, reportOutcome, INTERNET_RULE_PERMISSIONS, REACHABILITY_PERMISSIONS } from '../../lib/network/internet.js';
import { nodeRefs } from '../../lib/network/public-ips.js';
import { withReachability } from '../../lib/network/node-exposure.js';
import type { Cluster } from '../../lib/snapshot.js';
import { complianceFor } from '../../lib/compliance.js';

/** EMR's default master group in public subnets; before December 2020 it came with tcp 22 from 0.0.0.0/0. */
const LEGACY_DEFAULT_GROUP = 'elasticmapreduce-master';

function describe(r: InternetRule): string {
  const legacy = r.group.groupName.toLowerCase() === LEGACY_DEFAULT_GROUP;
  return legacy ? `${describeInternetRule(r)} (on ElasticMapReduce-master: the rule EMR created by default before December 2020)` : describeInternetRule(r);
}

const SSH_ONLY = [{ transport: 'tcp' as const, from: SSH_PORT, to: SSH_PORT }];

/**
 * CHECKS.md, now that the path is evaluated: CRITICAL when tcp 22 of a reported rule is reachable
 * from the internet on some node today; CRITICAL too (fail closed, saying why) when the nodes, their
 * addresses or the path could not be read — missing data must not lower a finding; otherwise HIGH,
 * and the message says what blocks it (no public address, a route, a network ACL entry).
 */
function escalate(outcome: Outcome, cluster: Cluster, ctx: EvalContext, reported: readonly InternetRule[]): Outcome {
  const r = withReachability(outcome, cluster, ctx, reported, () => SSH_ONLY);
  if (r.reachable) return { ...r.outcome, severity: 'CRITICAL' };
  if (r.unknown) {
    const unknownNodes = (r.exposure?.nodes ?? []).filter((n) => r.exposure?.gaps.some((g) => g.nodeId === n.id) && n.instance.ec2InstanceId);
    const refs = nodeRefs(unknownNodes.map((n) => ({ instance: n.instance, addresses: n.addresses })), ctx);
    return {
      ...r.outcome,
      severity: 'CRITICAL',
      message: `${r.outcome.message} Severity CRITICAL (fail closed): whether tcp 22 is reachable could not be decided.`,
      resources: [...(r.outcome.resources ?? []), ...refs.filter((x) => !(r.outcome.resources ?? []).some((y) => y.id === x.id))],
    };
  }
  return r.outcome;
}

export const check: ClusterCheck = {
  id: 'network/ssh-from-internet',
  title: 'SSH (tcp 22) open to the internet on a cluster security group',
  severity: 'HIGH',
  maxSeverity: 'CRITICAL',
  scope: 'cluster',
  description:
    'SSH open to the internet exposes every node to password and key brute-forcing and to SSH vulnerabilities; EMR created exactly this rule in ElasticMapReduce-master before December 2020.',
  types: [TYPES.networkReachability],
  remediation: {
    text: 'Delete the inbound tcp 22 rule from the internet (0.0.0.0/0, ::/0, an internet-scale CIDR such as 0.0.0.0/1 or 52.0.0.0/8, or a customer-managed prefix list holding one) (on ElasticMapReduce-master it is the old EMR default). Connect through Session Manager, or allow SSH only from specific CIDRs; list those in the EMR_AUDIT_TRUSTED_CIDRS setting.',
    url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-connect-ssh-prereqs.html',
  },
  // The rules, and whether tcp 22 is reachable today (it decides the severity).
  permissions: [...INTERNET_RULE_PERMISSIONS, ...REACHABILITY_PERMISSIONS],
  settings: ['trustedCidrs', 'widePublicCidrPrefixV4', 'widePublicCidrPrefixV6'],
  compliance: complianceFor('network/ssh-from-internet'),
  evaluate(cluster, ctx) {
    const found = lookupInternetRules(cluster, ctx);
    if (!found.ok) return [found.outcome];
    const trusted = found.value.rules.filter((r) => r.sshTrusted);
    const reported = found.value.rules.filter((r) => r.ssh);
    const outcome = reportOutcome(
      found.value,
      {
        reported,
        unresolved: found.value.unresolved.filter((r) => r.ssh),
        describe,
        failLead: 'SSH (tcp 22) is open to the internet',
        passVerb: 'allows SSH (tcp 22) from the internet',
        elsewhere: [{ checkId: 'network/all-traffic-from-internet', rules: found.value.rules.filter((r) => r.allTraffic && coversPort(r.rule, 'tcp', SSH_PORT)) }],
        ...(trusted.length > 0 ? { passNote: `Exempt as trusted CIDRs: ${trusted.map((r) => `${groupLabel(r.group)}: ${describeInternetRule(r)}`).join('; ')}.` } : {}),
      },
      ctx,
    );
    return [outcome.status === 'FAIL' ? escalate(outcome, cluster, ctx, reported) : outcome];
  },
};
