/**
 * Where an ingress rule lets traffic in from: "from the internet" (CHECKS.md: 0.0.0.0/0 or ::/0,
 * optionally widened to public CIDRs shorter than /N) and "trusted" (inside a trusted CIDR).
 * Prefix lists and security groups are never "internet": their members are not knowable here,
 * and they are how access should be granted.
 */
import ipaddr from 'ipaddr.js';
import * as z from 'zod';
import type { Settings } from '../settings.js';
import type { RuleSource } from '../snapshot.js';

export type Family = 'ipv4' | 'ipv6';

export interface Cidr {
  family: Family;
  /** Network address as an integer (host bits cleared). */
  network: bigint;
  prefix: number;
}

const BITS: Record<Family, number> = { ipv4: 32, ipv6: 128 };

function toBigInt(bytes: readonly number[]): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

function mask(family: Family, prefix: number): bigint {
  const bits = BITS[family];
  return prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
}

/**
 * Parsed CIDRs by text: an account has few distinct sources (0.0.0.0/0 on hundreds of rules) and
 * ipaddr.js parses slowly (an IPv4 text first fails as IPv6, by exception). Bounded, since a
 * long-lived Lambda container audits run after run.
 */
const parsedCidrs = new Map<string, Readonly<Cidr> | undefined>();
const PARSED_CIDRS_MAX = 10_000;

/** A CIDR as EC2 or a setting gives it, or undefined when it is not one. Host bits are ignored. */
export function parseCidr(text: string): Readonly<Cidr> | undefined {
  if (parsedCidrs.has(text)) return parsedCidrs.get(text);
  const cidr = parseUncached(text);
  if (parsedCidrs.size >= PARSED_CIDRS_MAX) parsedCidrs.clear();
  parsedCidrs.set(text, cidr === undefined ? undefined : Object.freeze(cidr));
  return cidr;
}

function parseUncached(text: string): Cidr | undefined {
  let parsed: ReturnType<typeof ipaddr.parseCIDR>;
  try {
    parsed = ipaddr.parseCIDR(text.trim());
  } catch {
    return undefined;
  }
  const [address, prefix] = parsed;
  const family = address.kind();
  return { family, network: toBigInt(address.toByteArray()) & mask(family, prefix), prefix };
}

/** Is `inner` entirely inside `outer` (same family)? */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  return inner.family === outer.family && inner.prefix >= outer.prefix && (inner.network & mask(outer.family, outer.prefix)) === outer.network;
}

// ---------------------------------------------------------------- public address space

/**
 * ipaddr.js classifies an address by its special ranges (private, loopback, link-local, reserved,
 * multicast, …) and calls everything else 'unicast' — the public space. Its typings expose
 * `range()` per address but not the table, and a CIDR needs the table: 0.0.0.0/1 starts in the
 * 'unspecified' range yet holds half the internet. The table is read once and validated, so a
 * changed library shape fails loudly (the check answers ERROR) instead of misclassifying.
 */
const SpecialEntry = z.tuple([z.custom<ipaddr.IPv4 | ipaddr.IPv6>((v) => v instanceof ipaddr.IPv4 || v instanceof ipaddr.IPv6), z.number().int()]);
const SpecialTable = z.record(z.string(), z.union([SpecialEntry, z.array(SpecialEntry)]));

let nonPublicRanges: Record<Family, Cidr[]> | undefined;

function loadNonPublicRanges(): Record<Family, Cidr[]> {
  const out: Record<Family, Cidr[]> = { ipv4: [], ipv6: [] };
  for (const [family, proto] of [
    ['ipv4', ipaddr.IPv4.prototype],
    ['ipv6', ipaddr.IPv6.prototype],
  ] as const) {
    const table = SpecialTable.safeParse(Reflect.get(proto, 'SpecialRanges'));
    if (!table.success) throw new Error(`ipaddr.js ${family} special ranges have an unexpected shape: cannot tell public CIDRs`);
    for (const [name, value] of Object.entries(table.data)) {
      if (name === 'unicast') continue;
      const entries = Array.isArray(value[0]) ? (value as Array<z.infer<typeof SpecialEntry>>) : [value as z.infer<typeof SpecialEntry>];
      for (const [address, prefix] of entries) {
        if (address.kind() !== family) continue;
        out[family].push({ family, network: toBigInt(address.toByteArray()) & mask(family, prefix), prefix });
      }
    }
  }
  return out;
}

function specialRanges(family: Family): Cidr[] {
  nonPublicRanges ??= loadNonPublicRanges();
  return nonPublicRanges[family];
}

/** True when every address of the CIDR lies in some non-public special range. */
function entirelyNonPublic(cidr: Cidr, ranges: readonly Cidr[]): boolean {
  if (ranges.some((r) => cidrWithin(cidr, r))) return true;
  // Ranges nest or are disjoint: with no special range inside it either, the block is all public.
  if (!ranges.some((r) => cidrWithin(r, cidr))) return false;
  const bits = BITS[cidr.family];
  if (cidr.prefix >= bits) return false;
  const prefix = cidr.prefix + 1;
  const low: Cidr = { family: cidr.family, network: cidr.network, prefix };
  const high: Cidr = { family: cidr.family, network: cidr.network | (1n << BigInt(bits - prefix)), prefix };
  return entirelyNonPublic(low, ranges) && entirelyNonPublic(high, ranges);
}

/** Does the CIDR hold any public (ipaddr.js 'unicast') address? */
export function containsPublicAddress(cidr: Cidr): boolean {
  return !entirelyNonPublic(cidr, specialRanges(cidr.family));
}

// ---------------------------------------------------------------- rule sources

export type InternetSettings = Pick<Settings, 'widePublicCidrPrefixV4' | 'widePublicCidrPrefixV6'>;

function sourceCidr(source: RuleSource): Cidr | undefined {
  return source.type === 'cidr4' || source.type === 'cidr6' ? parseCidr(source.cidr) : undefined;
}

/**
 * 0.0.0.0/0 or ::/0 (any CIDR of prefix 0); with `widePublicCidrPrefixV4/V6` = N also a CIDR
 * shorter than /N that holds public addresses (10.0.0.0/7 does: 11.0.0.0/8 is public).
 */
export function isInternetSource(source: RuleSource, settings: InternetSettings): boolean {
  const cidr = sourceCidr(source);
  if (!cidr) return false;
  if (cidr.prefix === 0) return true;
  const wide = cidr.family === 'ipv4' ? settings.widePublicCidrPrefixV4 : settings.widePublicCidrPrefixV6;
  return wide !== undefined && cidr.prefix < wide && containsPublicAddress(cidr);
}

/** The source CIDR lies inside one of the trusted CIDRs of its family. */
export function isTrustedSource(source: RuleSource, trustedCidrs: readonly string[]): boolean {
  const cidr = sourceCidr(source);
  if (!cidr) return false;
  return trustedCidrs.some((t) => {
    const trusted = parseCidr(t);
    return trusted !== undefined && cidrWithin(cidr, trusted);
  });
}

/** `0.0.0.0/0`, `prefix list pl-…`, `security group sg-… (account …)`. */
export function describeSource(source: RuleSource): string {
  switch (source.type) {
    case 'cidr4':
    case 'cidr6':
      return source.cidr;
    case 'prefixList':
      return `prefix list ${source.prefixListId}`;
    case 'securityGroup':
      return source.userId ? `security group ${source.groupId} (account ${source.userId})` : `security group ${source.groupId}`;
  }
}
