/**
 * What traffic an ingress rule lets in, read the way CHECKS.md defines "covers port P":
 * protocol -1 covers every port of every protocol; tcp/udp cover their own ports only; ICMP has
 * types and codes, not ports, so it never covers a port.
 */
import type { IngressRule } from '../snapshot.js';

export const MIN_PORT = 0;
export const MAX_PORT = 65535;

export type Transport = 'tcp' | 'udp';

export interface PortSpan {
  transport: Transport;
  from: number;
  to: number;
}

/** The traffic of one rule, normalised from EC2's protocol names and numbers. */
export type RuleTraffic =
  | { kind: 'all' }
  | ({ kind: 'ports' } & PortSpan)
  | { kind: 'icmp'; protocol: 'icmp' | 'icmpv6' }
  /** A protocol without ports (e.g. 47 GRE, 50 ESP): the whole protocol is open. */
  | { kind: 'protocol'; protocol: string };

export type RulePorts = Pick<IngressRule, 'protocol' | 'fromPort' | 'toPort'>;

const PROTOCOL_NAMES: Readonly<Record<string, 'all' | Transport | 'icmp' | 'icmpv6'>> = {
  '-1': 'all',
  tcp: 'tcp',
  '6': 'tcp',
  udp: 'udp',
  '17': 'udp',
  icmp: 'icmp',
  '1': 'icmp',
  icmpv6: 'icmpv6',
  '58': 'icmpv6',
};

/** EC2 returns names for the common protocols and numbers for the rest; accept both spellings. */
function normaliseProtocol(protocol: string): string {
  const p = protocol.trim().toLowerCase();
  // "06" or "-01" from hand-written snapshots mean the same numbers.
  return /^-?\d+$/.test(p) ? String(Number(p)) : p;
}

export function ruleTraffic(rule: RulePorts): RuleTraffic {
  const protocol = normaliseProtocol(rule.protocol);
  const named = PROTOCOL_NAMES[protocol];
  if (named === 'all') return { kind: 'all' };
  if (named === 'icmp' || named === 'icmpv6') return { kind: 'icmp', protocol: named };
  if (named === 'tcp' || named === 'udp') {
    // EC2 always returns both ports for tcp/udp. Should one be missing or -1 anyway, that end is
    // read as open: over-reporting a malformed rule is safer than missing an open one.
    const from = rule.fromPort === undefined || rule.fromPort < 0 ? MIN_PORT : rule.fromPort;
    const to = rule.toPort === undefined || rule.toPort < 0 ? MAX_PORT : Math.min(rule.toPort, MAX_PORT);
    return { kind: 'ports', transport: named, from, to };
  }
  return { kind: 'protocol', protocol };
}

/** Does the rule let in traffic to `port` of `transport`? */
export function coversPort(rule: RulePorts, transport: Transport, port: number): boolean {
  const t = ruleTraffic(rule);
  if (t.kind === 'all') return true;
  return t.kind === 'ports' && t.transport === transport && t.from <= port && port <= t.to;
}

/** Protocol -1, or tcp/udp covering every port 0–65535 (CHECKS.md `network/all-traffic-from-internet`). */
export function isAllTraffic(rule: RulePorts): boolean {
  const t = ruleTraffic(rule);
  if (t.kind === 'all') return true;
  return t.kind === 'ports' && t.from <= MIN_PORT && t.to >= MAX_PORT;
}

/** The port spans the rule opens; protocol -1 opens every tcp and udp port; ICMP and port-less protocols none. */
export function portSpans(rule: RulePorts): PortSpan[] {
  const t = ruleTraffic(rule);
  if (t.kind === 'all') {
    return [
      { transport: 'tcp', from: MIN_PORT, to: MAX_PORT },
      { transport: 'udp', from: MIN_PORT, to: MAX_PORT },
    ];
  }
  if (t.kind === 'ports') return t.from <= t.to ? [{ transport: t.transport, from: t.from, to: t.to }] : [];
  return [];
}

/** Is every port of `span` inside the union of `allowed` ranges? */
export function spanWithin(span: Pick<PortSpan, 'from' | 'to'>, allowed: ReadonlyArray<{ from: number; to: number }>): boolean {
  const sorted = [...allowed].sort((a, b) => a.from - b.from);
  let next = span.from; // first port of the span not yet known to be allowed
  for (const r of sorted) {
    if (next > span.to) break;
    if (r.from > next) return false;
    if (r.to >= next) next = r.to + 1;
  }
  return next > span.to;
}

/** `tcp 22`, `tcp 8000-9000`, `all traffic (protocol -1)`, `icmp`, `protocol 47`. */
export function describeTraffic(rule: RulePorts): string {
  const t = ruleTraffic(rule);
  switch (t.kind) {
    case 'all':
      return 'all traffic (protocol -1)';
    case 'ports':
      return t.from === t.to ? `${t.transport} ${t.from}` : `${t.transport} ${t.from}-${t.to}`;
    case 'icmp':
      return t.protocol;
    case 'protocol':
      return `protocol ${t.protocol}`;
  }
}
