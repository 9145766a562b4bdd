import { TYPES, type ClusterCheck } from '../contract.js';
import { describeInternetRule, lookupInternetRules, reportOutcome, INTERNET_RULE_PERMISSIONS, REACHABILITY_PERMISSIONS } from '../../lib/network/internet.js';
import { complianceFor } from '../../lib/compliance.js';
import { withReachability } from '../../lib/network/node-exposure.js';

export const check: ClusterCheck = {
  id: 'network/application-port-from-internet',
  title: 'EMR application or cluster-manager port open to the internet',
  severity: 'HIGH',
  scope: 'cluster',
  description:
    'EMR web interfaces and RPC ports (YARN, HDFS, Spark, Hive, Livy, Hue, JupyterHub…) mostly have no authentication by default, so opening them to the internet lets anyone read data or run code on the cluster.',
  types: [TYPES.networkReachability],
  remediation: {
    text: 'Remove the inbound rules that open EMR application ports to the internet (0.0.0.0/0, ::/0, an internet-scale CIDR such as 0.0.0.0/1 or 52.0.0.0/8, or a customer-managed prefix list holding one). Reach the web interfaces through an SSH tunnel, Session Manager port forwarding, EMR Studio or a VPN, and allow only specific CIDRs, prefix lists or security groups.',
    url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-security-groups.html',
  },
  // The rules, and whether the reported ports are reachable today (the FAIL message says it).
  permissions: [...INTERNET_RULE_PERMISSIONS, ...REACHABILITY_PERMISSIONS],
  settings: ['applicationPorts', 'widePublicCidrPrefixV4', 'widePublicCidrPrefixV6'],
  compliance: complianceFor('network/application-port-from-internet'),
  evaluate(cluster, ctx) {
    const found = lookupInternetRules(cluster, ctx);
    if (!found.ok) return [found.outcome];
    const names = ctx.settings.applicationPorts;
    const reported = found.value.rules.filter((r) => r.applicationPorts.length > 0);
    const outcome = reportOutcome(
      found.value,
      {
        reported,
        unresolved: found.value.unresolved.filter((r) => r.applicationPorts.length > 0),
        describe: (r) => `${describeInternetRule(r)} exposes ${r.applicationPorts.map((p) => `${p} (${names[p] ?? 'application port'})`).join(', ')}`,
        failLead: 'EMR application ports are open to the internet',
        passVerb: 'opens an EMR application port to the internet',
        elsewhere: [{ checkId: 'network/all-traffic-from-internet', rules: found.value.rules.filter((r) => r.allTraffic) }],
      },
      ctx,
    );
    // The application ports of each rule, not the whole rule: tcp 0-9000 is reported for 8080, 8088…
    return [withReachability(outcome, cluster, ctx, reported, (r) => r.applicationPorts.map((p) => ({ transport: 'tcp' as const, from: p, to: p }))).outcome];
  },
};
