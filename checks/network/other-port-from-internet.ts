import { TYPES, type ClusterCheck } from '../contract.js';
import { lookupInternetRules, reportOutcome, INTERNET_RULE_PERMISSIONS, REACHABILITY_PERMISSIONS } from '../../lib/network/internet.js';
import type { PortRange } from '../../lib/settings.js';
import { complianceFor } from '../../lib/compliance.js';
import { withReachability } from '../../lib/network/node-exposure.js';

function passVerb(allowed: readonly PortRange[]): string {
  if (allowed.length === 0) return 'opens any other port to the internet';
  const list = allowed.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(', ');
  return `opens any other port to the internet that settings do not allow (allowed: ${list})`;
}

export const check: ClusterCheck = {
  id: 'network/other-port-from-internet',
  title: 'Other port open to the internet on a cluster security group',
  severity: 'MEDIUM',
  scope: 'cluster',
  description:
    'Any port of a cluster node that is open to the internet and not explicitly allowed widens the attack surface of the cluster beyond what its users need.',
  types: [TYPES.networkReachability],
  remediation: {
    text: 'Remove the inbound rule from the internet (0.0.0.0/0, ::/0, an internet-scale CIDR such as 0.0.0.0/1 or 52.0.0.0/8, or a customer-managed prefix list holding one), or narrow its source to specific CIDRs, prefix lists or security groups. If the port must be public by design, list it in the EMR_AUDIT_ALLOWED_PUBLIC_PORTS setting.',
    url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-security-groups.html',
  },
  // The rules, and whether the reported ports are reachable today (the FAIL message says it).
  permissions: [...INTERNET_RULE_PERMISSIONS, ...REACHABILITY_PERMISSIONS],
  // The rules the other three checks report are not reported here, so their settings shape this one too.
  settings: ['allowedPublicPorts', 'applicationPorts', 'trustedCidrs', 'widePublicCidrPrefixV4', 'widePublicCidrPrefixV6'],
  compliance: complianceFor('network/other-port-from-internet'),
  evaluate(cluster, ctx) {
    const found = lookupInternetRules(cluster, ctx);
    if (!found.ok) return [found.outcome];
    const rules = found.value.rules;
    const reported = rules.filter((r) => r.otherPort);
    const outcome = reportOutcome(
      found.value,
      {
        reported,
        unresolved: found.value.unresolved.filter((r) => r.otherPort),
        failLead: 'Ports other than SSH and the EMR application ports are open to the internet',
        passVerb: passVerb(ctx.settings.allowedPublicPorts),
        elsewhere: [
          { checkId: 'network/all-traffic-from-internet', rules: rules.filter((r) => r.allTraffic) },
          { checkId: 'network/ssh-from-internet', rules: rules.filter((r) => r.ssh) },
          { checkId: 'network/application-port-from-internet', rules: rules.filter((r) => !r.ssh && r.applicationPorts.length > 0) },
        ],
      },
      ctx,
    );
    return [withReachability(outcome, cluster, ctx, reported).outcome];
  },
};
