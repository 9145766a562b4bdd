/**
 * The shared path of the four "from the internet" checks: find the cluster's groups, classify
 * their internet rules once (lib/network/classify.ts), and turn the rules one check reports into
 * its outcome. A clean result needs every group; a violation on a collected group is reported even
 * when another group is missing (the FAIL names what could not be examined).
 */
import type { EvalContext, Outcome } from '../../checks/contract.js';
import { errorOutcome } from '../lookup.js';
import type { Cluster, SecurityGroup } from '../snapshot.js';
import { classifyInternetRules, type InternetRule } from './classify.js';
import { clusterGroupIds, describeRule, groupLabel, groupRefs, lookupGroups, missingGroupsOutcome, missingNote, type MissingGroup } from './groups.js';

export interface InternetRules {
  groups: SecurityGroup[];
  missing: MissingGroup[];
  rules: InternetRule[];
}

export type InternetRulesLookup = { ok: true; value: InternetRules } | { ok: false; outcome: Outcome };

export function lookupInternetRules(cluster: Cluster, ctx: EvalContext): InternetRulesLookup {
  const ids = clusterGroupIds(cluster);
  if (ids.length === 0) {
    // EMR always gives a cluster on EC2 managed groups; none reported means they are not known yet.
    return { ok: false, outcome: errorOutcome("the cluster's security groups", 'DescribeCluster reported no security group for the cluster') };
  }
  const { groups, missing } = lookupGroups(ids, ctx);
  return { ok: true, value: { groups, missing, rules: classifyInternetRules(groups, ctx.settings) } };
}

export interface ReportSpec {
  /** The rules this check reports. */
  reported: InternetRule[];
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
export function listRules(rules: readonly InternetRule[], describe: (r: InternetRule) => string = (r) => describeRule(r.rule)): string {
  return rules.map((r) => `${groupLabel(r.group)}: ${describe(r)}`).join('; ');
}

export function reportOutcome(found: InternetRules, spec: ReportSpec, ctx: EvalContext): Outcome {
  if (spec.reported.length > 0) {
    return {
      status: 'FAIL',
      message: `${spec.failLead}: ${listRules(spec.reported, spec.describe)}.${missingNote(found.missing)}`,
      resources: groupRefs(
        spec.reported.map((r) => r.group),
        ctx,
      ),
    };
  }
  if (found.missing.length > 0) return missingGroupsOutcome(found.missing);
  const labels = found.groups.map(groupLabel).join(', ');
  const elsewhere = (spec.elsewhere ?? []).filter((e) => e.rules.length > 0);
  const other = elsewhere.length === 0 ? '' : `, other than the rules reported by ${elsewhere.map((e) => `${e.checkId} (${listRules(e.rules)})`).join(' and ')}`;
  return {
    status: 'PASS',
    message: `No ingress rule of ${labels} ${spec.passVerb}${other}.${spec.passNote ? ` ${spec.passNote}` : ''}`,
  };
}
