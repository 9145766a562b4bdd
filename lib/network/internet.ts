/**
 * The shared path of the four "from the internet" checks: find the cluster's groups, classify
 * their internet rules once (lib/network/classify.ts), and turn the rules one check reports into
 * its outcome. A clean result needs every group and every prefix list its rules would depend on;
 * a violation on a collected group is reported even when another group or a prefix list is
 * missing (the FAIL names what could not be examined).
 */
import type { EvalContext, Outcome } from '../../checks/contract.js';
import { errorOutcome } from '../lookup.js';
import type { Cluster, SecurityGroup } from '../snapshot.js';
import { classifyInternetRules, type InternetRule } from './classify.js';
import { clusterGroupIds, describeMissing, describeRule, groupLabel, groupRefs, lookupGroups, missingNote, type MissingGroup } from './groups.js';
import { prefixListLabel } from './prefix-lists.js';
import { describeTraffic } from './ports.js';

/** What reading a cluster's rules from the internet costs: its groups and the prefix lists they name. */
export const INTERNET_RULE_PERMISSIONS = ['elasticmapreduce:DescribeCluster', 'ec2:DescribeSecurityGroups', 'ec2:DescribeManagedPrefixLists', 'ec2:GetManagedPrefixListEntries'] as const;

/** What saying whether a port is reachable today costs: the nodes (EC2's view) and their subnets' path. */
export const REACHABILITY_PERMISSIONS = ['elasticmapreduce:ListInstances', 'ec2:DescribeInstances', 'ec2:DescribeSubnets', 'ec2:DescribeRouteTables', 'ec2:DescribeNetworkAcls'] as const;

export interface InternetRules {
  groups: SecurityGroup[];
  missing: MissingGroup[];
  /** Rules from the internet (CIDR or prefix-list entry). */
  rules: InternetRule[];
  /** Rules whose prefix-list source could not be judged (`unresolved` says why). */
  unresolved: InternetRule[];
}

export type InternetRulesLookup = { ok: true; value: InternetRules } | { ok: false; outcome: Outcome };

export function lookupInternetRules(cluster: Cluster, ctx: EvalContext): InternetRulesLookup {
  const ids = clusterGroupIds(cluster);
  if (ids.length === 0) {
    // EMR always gives a cluster on EC2 managed groups; none reported means they are not known yet.
    return { ok: false, outcome: errorOutcome("the cluster's security groups", 'DescribeCluster reported no security group for the cluster') };
  }
  const { groups, missing } = lookupGroups(ids, ctx);
  const all = classifyInternetRules(groups, ctx.settings, ctx.region);
  return { ok: true, value: { groups, missing, rules: all.filter((r) => r.unresolved === undefined), unresolved: all.filter((r) => r.unresolved !== undefined) } };
}

/** `tcp 22 from 0.0.0.0/0`; `tcp 22 from prefix list pl-0abc (corp-ranges), entry 0.0.0.0/0`. */
export function describeInternetRule(r: InternetRule): string {
  if (!r.via) return describeRule(r.rule);
  const { entries } = r.via;
  return `${describeTraffic(r.rule)} from prefix list ${prefixListLabel(r.via)}, ${entries.length === 1 ? 'entry' : 'entries'} ${entries.join(', ')}`;
}

export interface ReportSpec {
  /** The rules this check reports. */
  reported: InternetRule[];
  /** Rules this check would report were their prefix list the internet, but its entries are unknown. */
  unresolved?: InternetRule[];
  /** What one reported rule exposes, after `sg-… (name): `; default `tcp 22 from 0.0.0.0/0`. */
  describe?: (r: InternetRule) => string;
  /** Opening of the FAIL message, e.g. `SSH (tcp 22) is open to the internet`. */
  failLead: string;
  /** End of the PASS sentence after "No ingress rule of <groups> ", e.g. `allows SSH (tcp 22) from the internet`. */
  passVerb: string;
  /** Optional extra sentence for PASS (e.g. trusted exemptions). */
  passNote?: string;
  /**
   * Internet rules that also touch what this check is about but that another check reports (a
   * rule is reported whole, once): a PASS names them so it never reads as "nothing is open".
   */
  elsewhere?: Array<{ checkId: string; rules: InternetRule[] }>;
}

/** `sg-a (name): tcp 22 from 0.0.0.0/0; sg-b (name): …`. */
export function listRules(rules: readonly InternetRule[], describe: (r: InternetRule) => string = describeInternetRule): string {
  return rules.map((r) => `${groupLabel(r.group)}: ${describe(r)}`).join('; ');
}

/** `sg-a (name): tcp 22 from prefix list pl-1 — <why its entries are unknown>`. */
function describeUnresolved(rules: readonly InternetRule[]): string {
  return rules.map((r) => `${groupLabel(r.group)}: ${describeRule(r.rule)} — ${r.unresolved ?? 'unknown'}`).join('; ');
}

export function reportOutcome(found: InternetRules, spec: ReportSpec, ctx: EvalContext): Outcome {
  const unresolved = spec.unresolved ?? [];
  if (spec.reported.length > 0) {
    const unresolvedNote = unresolved.length === 0 ? '' : ` Not judged (prefix list entries unknown): ${describeUnresolved(unresolved)}.`;
    return {
      status: 'FAIL',
      message: `${spec.failLead}: ${listRules(spec.reported, spec.describe)}.${missingNote(found.missing)}${unresolvedNote}`,
      resources: groupRefs(
        spec.reported.map((r) => r.group),
        ctx,
      ),
    };
  }
  if (found.missing.length > 0 || unresolved.length > 0) {
    const parts = [
      ...(found.missing.length > 0 ? [describeMissing(found.missing)] : []),
      ...(unresolved.length > 0 ? [`rules from prefix lists whose entries are unknown: ${describeUnresolved(unresolved)}`] : []),
    ];
    const what = found.missing.length === 0 ? 'prefix list entries' : found.missing.length === 1 ? 'a cluster security group' : 'cluster security groups';
    const outcome: Outcome = { status: 'ERROR', message: `Could not evaluate: ${what} unavailable — ${parts.join('; ')}` };
    return unresolved.length > 0 ? { ...outcome, resources: groupRefs(unresolved.map((r) => r.group), ctx) } : outcome;
  }
  const labels = found.groups.map(groupLabel).join(', ');
  const elsewhere = (spec.elsewhere ?? []).filter((e) => e.rules.length > 0);
  const other = elsewhere.length === 0 ? '' : `, other than the rules reported by ${elsewhere.map((e) => `${e.checkId} (${listRules(e.rules)})`).join(' and ')}`;
  return {
    status: 'PASS',
    message: `No ingress rule of ${labels} ${spec.passVerb}${other}.${spec.passNote ? ` ${spec.passNote}` : ''}`,
  };
}
