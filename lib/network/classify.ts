/**
 * Decides, for each internet rule of a cluster's security groups, which of the four
 * "from the internet" checks reports it, so that a rule is reported whole and by the right check:
 *
 * 1. `network/all-traffic-from-internet`: protocol -1, or tcp/udp over all ports 0–65535.
 * 2. `network/ssh-from-internet`: covers tcp 22; not a rule reported by (1); not from a trusted CIDR.
 * 3. `network/application-port-from-internet`: covers a tcp port of `applicationPorts`; not a rule
 *    reported by (1). (2) and (3) may both report one rule, e.g. tcp 0-9000.
 * 4. `network/other-port-from-internet`: a rule none of (1)–(3) reports, unless every port it
 *    covers is in `allowedPublicPorts`.
 *
 * Where CHECKS.md is silent (decisions of the lead):
 * - ICMP/ICMPv6 rules are never reported by (4): they cover no port.
 * - Any other port-less protocol (e.g. 47 GRE) from the internet is reported by (4):
 *   `allowedPublicPorts` cannot allow a protocol that has no ports.
 * - A rule exempted from (2) only because its source is trusted does not reach (4) for tcp 22:
 *   trusting the source for SSH means tcp 22 counts as allowed. If it covers more ports, (4)
 *   reports it unless those other ports are allowed.
 * Further choices: application ports are tcp ports (a udp rule covering 8088 is an other-port
 * finding); `allowedPublicPorts` applies to tcp and udp alike.
 *
 * Prefix-list sources (CHECKS.md "from the internet"; where it is silent, our choices):
 * - a customer-managed list with an internet-scale entry is classified like a CIDR rule, `via`
 *   naming the list and its internet entries; it is trusted (SSH exemption) only when every one of
 *   those entries lies inside a trusted CIDR;
 * - a list whose description or entries are unknown yields an `unresolved` rule carrying the flags
 *   it would have from the internet: the checks that would report it cannot PASS (ERROR, or a note
 *   beside a certain FAIL), the others are unaffected.
 */
import type { Settings } from '../settings.js';
import type { IngressRule, SecurityGroup } from '../snapshot.js';
import { coversPort, isAllTraffic, portSpans, ruleTraffic, spanWithin } from './ports.js';
import { judgePrefixList, type PrefixListData, type PrefixListVia } from './prefix-lists.js';
import { isInternetSource, isTrustedCidr, isTrustedSource } from './sources.js';

export const SSH_PORT = 22;

export type ClassifySettings = Pick<
  Settings,
  'trustedCidrs' | 'allowedPublicPorts' | 'applicationPorts' | 'widePublicCidrPrefixV4' | 'widePublicCidrPrefixV6'
>;

/** One ingress rule from the internet and the checks that report it. */
export interface InternetRule {
  group: SecurityGroup;
  rule: IngressRule;
  /** Reported by `network/all-traffic-from-internet`. */
  allTraffic: boolean;
  /** Reported by `network/ssh-from-internet`. */
  ssh: boolean;
  /** Covers tcp 22 but its source is inside a trusted CIDR, so `network/ssh-from-internet` skips it. */
  sshTrusted: boolean;
  /** Application ports that `network/application-port-from-internet` reports (ascending); empty: not reported. */
  applicationPorts: number[];
  /** Reported by `network/other-port-from-internet`. */
  otherPort: boolean;
  /** A prefix-list source: the list and its internet-scale entries. */
  via?: PrefixListVia;
  /**
   * The source is a prefix list whose entries are unknown (the reason): the flags say which checks
   * would report the rule were it from the internet, and those checks cannot pass.
   */
  unresolved?: string;
}

/** No prefix list known: every prefix-list source is unresolved (tests, callers without a region). */
const NO_PREFIX_LISTS: PrefixListData = { snapshot: { prefixLists: {} }, errorsFor: () => [] };

/**
 * The classified rules of each group object for one settings object: a group is shared by many
 * clusters and read by four checks each, so it is classified once per audit, not per (cluster, check).
 */
const classified = new WeakMap<SecurityGroup, { settings: ClassifySettings; region: PrefixListData; rules: readonly InternetRule[] }>();

/**
 * Every rule from the internet of the given groups, in group and rule order, with its reporters,
 * and (marked `unresolved`) every rule whose prefix-list source could not be judged.
 */
export function classifyInternetRules(groups: readonly SecurityGroup[], settings: ClassifySettings, region: PrefixListData = NO_PREFIX_LISTS): InternetRule[] {
  let appPorts: number[] | undefined;
  const out: InternetRule[] = [];
  for (const group of groups) {
    const cached = classified.get(group);
    if (cached && cached.settings === settings && cached.region === region) {
      out.push(...cached.rules);
      continue;
    }
    appPorts ??= applicationPortList(settings);
    const rules: InternetRule[] = [];
    for (const rule of group.ingress) {
      if (rule.source.type === 'prefixList') {
        const verdict = judgePrefixList(rule.source.prefixListId, region, settings);
        if (verdict.kind === 'not-internet') continue;
        // Trusted only when every internet-scale entry of the list is inside a trusted CIDR.
        const trusted = verdict.kind === 'internet' && verdict.via.entries.every((e) => isTrustedCidr(e, settings.trustedCidrs));
        const classifiedRule = classifyRule(group, rule, appPorts, settings, trusted);
        rules.push(Object.freeze(verdict.kind === 'internet' ? { ...classifiedRule, via: verdict.via } : { ...classifiedRule, unresolved: verdict.reason }));
        continue;
      }
      if (!isInternetSource(rule.source, settings)) continue;
      rules.push(Object.freeze(classifyRule(group, rule, appPorts, settings, isTrustedSource(rule.source, settings.trustedCidrs))));
    }
    classified.set(group, { settings, region, rules });
    out.push(...rules);
  }
  return out;
}

function applicationPortList(settings: ClassifySettings): number[] {
  return Object.keys(settings.applicationPorts)
    .map(Number)
    .filter((p) => Number.isInteger(p))
    .sort((a, b) => a - b);
}

function classifyRule(group: SecurityGroup, rule: IngressRule, appPorts: readonly number[], settings: ClassifySettings, trustedSource: boolean): InternetRule {
  const allTraffic = isAllTraffic(rule);
  const coversSsh = !allTraffic && coversPort(rule, 'tcp', SSH_PORT);
  const sshTrusted = coversSsh && trustedSource;
  const ssh = coversSsh && !sshTrusted;
  const applicationPorts = allTraffic ? [] : appPorts.filter((p) => coversPort(rule, 'tcp', p));
  const reportedAbove = allTraffic || ssh || applicationPorts.length > 0;
  const otherPort = !reportedAbove && reportedAsOtherPort(rule, sshTrusted, settings);
  return { group, rule, allTraffic, ssh, sshTrusted, applicationPorts, otherPort };
}

function reportedAsOtherPort(rule: IngressRule, sshTrusted: boolean, settings: ClassifySettings): boolean {
  const traffic = ruleTraffic(rule);
  if (traffic.kind === 'icmp') return false;
  if (traffic.kind === 'protocol') return true;
  const allowed = sshTrusted ? [...settings.allowedPublicPorts, { from: SSH_PORT, to: SSH_PORT }] : settings.allowedPublicPorts;
  return portSpans(rule).some((span) => {
    // The trusted exemption is about SSH, i.e. tcp 22 only.
    const forTransport = span.transport === 'tcp' ? allowed : settings.allowedPublicPorts;
    return !spanWithin(span, forTransport);
  });
}
