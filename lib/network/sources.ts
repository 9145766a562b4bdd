/**
 * Where an ingress rule lets traffic in from: "from the internet" and "trusted" (inside a trusted
 * CIDR), as CHECKS.md defines them.
 *
 * From the internet: `0.0.0.0/0`, `::/0`, or an internet-scale CIDR — one that holds at least as
 * many public addresses as a CIDR shorter than /N, N being `widePublicCidrPrefixV4/V6` (default 9
 * and 17: 2^24 public IPv4 addresses, a /8's worth; an IPv6 /16 of global unicast space). Public
 * addresses are counted exactly (./public-space.ts), so private, shared, loopback, link-local and
 * documentation space never counts however wide, and `0.0.0.0/1` + `128.0.0.0/1` both do.
 * The setting kept its old meaning ("CIDRs shorter than /N holding public addresses") for wholly
 * public blocks; it now also asks a mixed block for a /(N−1)'s worth of public addresses, not one.
 *
 * A prefix list is judged by its entries (./prefix-lists.ts); a security group is never "internet".
 */
import type { RuleSource } from '../snapshot.js';
import { cidrWithin, parseCidr, type Cidr, type Family } from './cidr.js';
import { BITS, publicAddressCount, publicSpace } from './public-space.js';

export { cidrWithin, parseCidr, type Cidr, type Family } from './cidr.js';
export { containsPublicAddress } from './public-space.js';

/** Defaults of `widePublicCidrPrefixV4/V6`: CIDRs shorter than /9 (IPv4) and /17 (IPv6). */
export const DEFAULT_WIDE_PUBLIC_CIDR_PREFIX: Readonly<Record<Family, number>> = { ipv4: 9, ipv6: 17 };

/** The two settings (lib/settings.ts) that say how wide a public CIDR must be to count as the internet. */
export interface InternetSettings {
  widePublicCidrPrefixV4?: number;
  widePublicCidrPrefixV6?: number;
}

/** The prefix N in force for a family (the setting, else the default). */
export function widePrefix(family: Family, settings: InternetSettings): number {
  const set = family === 'ipv4' ? settings.widePublicCidrPrefixV4 : settings.widePublicCidrPrefixV6;
  return set ?? DEFAULT_WIDE_PUBLIC_CIDR_PREFIX[family];
}

/** Public addresses a CIDR must hold to be the internet: a /(N−1)'s worth. */
export function internetScaleThreshold(family: Family, settings: InternetSettings): bigint {
  return 1n << BigInt(BITS[family] - widePrefix(family, settings) + 1);
}

/** CHECKS.md: an IPv6 prefix of length ≤ 16 inside 2000::/3 is internet-scale. */
const IPV6_INTERNET_PREFIX = 16;

/** 0.0.0.0/0 and ::/0 (any prefix-0 CIDR) always; otherwise an internet-scale count of public addresses. */
export function isInternetCidr(cidr: Cidr, settings: InternetSettings): boolean {
  if (cidr.prefix === 0) return true;
  const count = publicAddressCount(cidr);
  // CHECKS.md's letter for IPv6: a prefix of length ≤ 16 inside 2000::/3 is the internet, even one
  // like 2001::/16 whose count falls short because of the special blocks inside it.
  if (cidr.family === 'ipv6' && count > 0n && cidr.prefix <= Math.min(IPV6_INTERNET_PREFIX, widePrefix('ipv6', settings) - 1)) {
    const globalUnicast = publicSpace('ipv6').base;
    if (cidrWithin(cidr, globalUnicast) || cidrWithin(globalUnicast, cidr)) return true;
  }
  return count >= internetScaleThreshold(cidr.family, settings);
}

/** Is this CIDR text internet-scale? False for text that is not a CIDR. */
export function isInternetCidrText(text: string, settings: InternetSettings): boolean {
  const cidr = parseCidr(text);
  return cidr !== undefined && isInternetCidr(cidr, settings);
}

function sourceCidr(source: RuleSource): Cidr | undefined {
  return source.type === 'cidr4' || source.type === 'cidr6' ? parseCidr(source.cidr) : undefined;
}

/**
 * Is a CIDR source internet-scale? Prefix lists and security groups answer false here: a prefix
 * list needs its entries (judgePrefixList in ./prefix-lists.ts).
 */
export function isInternetSource(source: RuleSource, settings: InternetSettings): boolean {
  const cidr = sourceCidr(source);
  return cidr !== undefined && isInternetCidr(cidr, settings);
}

/** The CIDR text lies inside one of the trusted CIDRs of its family. */
export function isTrustedCidr(text: string, trustedCidrs: readonly string[]): boolean {
  const cidr = parseCidr(text);
  if (!cidr) return false;
  return trustedCidrs.some((t) => {
    const trusted = parseCidr(t);
    return trusted !== undefined && cidrWithin(cidr, trusted);
  });
}

/** The source CIDR lies inside one of the trusted CIDRs of its family. */
export function isTrustedSource(source: RuleSource, trustedCidrs: readonly string[]): boolean {
  return (source.type === 'cidr4' || source.type === 'cidr6') && isTrustedCidr(source.cidr, trustedCidrs);
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
