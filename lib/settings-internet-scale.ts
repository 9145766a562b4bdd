/**
 * "Internet-scale" CIDRs in CHECKS.md's terms, for refusing them as trusted sources
 * (`EMR_AUDIT_TRUSTED_CIDRS`): trusting one of these turns "SSH open to the internet" into a PASS.
 * The same predicate as the checks' (lib/network/sources.ts) at its default thresholds — at least
 * 2^24 public IPv4 addresses, or a /16's worth of global unicast IPv6 — plus IPv4-mapped IPv6
 * CIDRs, judged as the IPv4 block they map.
 */
import ipaddr from 'ipaddr.js';
import { parseCidr } from './network/cidr.js';
import { isInternetCidr, type InternetSettings } from './network/sources.js';

const DEFAULT_THRESHOLDS: InternetSettings = {};

/** True for 0.0.0.0/0, ::/0, 8.0.0.0/8, 2001::/16, ::ffff:0.0.0.0/96 …; false for 10.0.0.0/8 or 203.0.113.0/24. */
export function isInternetScaleCidr(text: string): boolean {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(text.trim());
  } catch {
    return false;
  }
  const [address, prefix] = parsed;
  if (address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress()) {
    return prefix < 96 || isInternetScaleCidr(`${address.toIPv4Address().toString()}/${prefix - 96}`);
  }
  const cidr = parseCidr(text);
  return cidr !== undefined && isInternetCidr(cidr, DEFAULT_THRESHOLDS);
}
