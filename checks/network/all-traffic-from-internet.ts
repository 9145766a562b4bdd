import { TYPES, type ClusterCheck } from '../contract.js';
import { lookupInternetRules, reportOutcome, INTERNET_RULE_PERMISSIONS, REACHABILITY_PERMISSIONS } from '../../lib/network/internet.js';
import { complianceFor } from '../../lib/compliance.js';
import { withReachability } from '../../lib/network/node-exposure.js';

export const check: ClusterCheck = {
  id: 'network/all-traffic-from-internet',
  title: 'All traffic open to the internet on a cluster security group',
  severity: 'CRITICAL',
  scope: 'cluster',
  description:
    'A cluster security group that accepts all traffic from the internet exposes every service of the nodes, including unauthenticated Hadoop and Spark interfaces, to anyone.',
  types: [TYPES.networkReachability],
  remediation: {
    text: 'Delete the inbound rule that allows all traffic (protocol -1 or all ports) from the internet (0.0.0.0/0, ::/0, an internet-scale CIDR such as 0.0.0.0/1 or 52.0.0.0/8, or a customer-managed prefix list holding one). Grant only the ports users need, from specific CIDRs, prefix lists or security groups, and reach the nodes through Session Manager or a bastion instead of a public rule.',
    url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-security-groups.html',
  },
  // The rules, and whether the reported ports are reachable today (the FAIL message says it).
  permissions: [...INTERNET_RULE_PERMISSIONS, ...REACHABILITY_PERMISSIONS],
  settings: ['widePublicCidrPrefixV4', 'widePublicCidrPrefixV6'],
  compliance: complianceFor('network/all-traffic-from-internet'),
  evaluate(cluster, ctx) {
    const found = lookupInternetRules(cluster, ctx);
    if (!found.ok) return [found.outcome];
    const reported = found.value.rules.filter((r) => r.allTraffic);
    const outcome = reportOutcome(
      found.value,
      {
        reported,
        unresolved: found.value.unresolved.filter((r) => r.allTraffic),
        failLead: 'All traffic is open to the internet',
        passVerb: 'allows all traffic from the internet',
      },
      ctx,
    );
    return [withReachability(outcome, cluster, ctx, reported).outcome];
  },
};
