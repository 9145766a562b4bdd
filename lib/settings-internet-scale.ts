/**
 * "Internet-scale" CIDRs in CHECKS.md's terms, for refusing them as trusted sources
 * (`EMR_AUDIT_TRUSTED_CIDRS`): an IPv4 CIDR holding at least 2^24 public addresses, or an IPv6
 * CIDR of /16 or shorter that reaches into global unicast (2000::/3). Trusting one of these turns
 * "SSH open to the internet" into a PASS.
 *
 * A small, self-contained predicate for settings validation, written while lib/network/ gets its
 * own (issue 11): unify the two at merge, keeping this one's tests.
 */
import ipaddr from 'ipaddr.js';

/** 2^24 public IPv4 addresses: a /8's worth. */
export const INTERNET_SCALE_IPV4_ADDRESSES = 2 ** 24;
/** IPv6 CIDRs this short or shorter in 2000::/3 are internet-scale. */
export const INTERNET_SCALE_IPV6_PREFIX = 16;

/**
 * IPv4 space that is not public (IANA special-purpose registry, RFC 6890 and successors),
 * pairwise disjoint so their overlaps with a CIDR can simply be summed.
 */
const NON_PUBLIC_V4: ReadonlyArray<[string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  // Multicast (224/4) and reserved (240/4, with the limited broadcast address).
  ['224.0.0.0', 3],
].map(([a, l]) => [a as string, l as number]);

/** Public addresses in an IPv4 CIDR. */
export function publicIpv4Addresses(address: ipaddr.IPv4, prefix: number): number {
  let count = 2 ** (32 - prefix);
  for (const [a, l] of NON_PUBLIC_V4) {
    const special = ipaddr.IPv4.parse(a);
    if (l >= prefix) {
      if (special.match(address, prefix)) count -= 2 ** (32 - l);
    } else if (address.match(special, l)) {
      return 0; // the whole CIDR lies in non-public space
    }
  }
  return count;
}

const GLOBAL_UNICAST = ipaddr.IPv6.parse('2000::');

/** True for 0.0.0.0/0, ::/0, 8.0.0.0/8, 2001::/16 …; false for 10.0.0.0/8 or 203.0.113.0/24. */
export function isInternetScaleCidr(cidr: string): boolean {
  const [address, prefix] = ipaddr.parseCIDR(cidr);
  if (address.kind() === 'ipv4') return publicIpv4Addresses(address as ipaddr.IPv4, prefix) >= INTERNET_SCALE_IPV4_ADDRESSES;
  const v6 = address as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) {
    const mappedPrefix = prefix - 96;
    return mappedPrefix >= 0 ? publicIpv4Addresses(v6.toIPv4Address(), mappedPrefix) >= INTERNET_SCALE_IPV4_ADDRESSES : true;
  }
  if (prefix > INTERNET_SCALE_IPV6_PREFIX) return false;
  // Overlaps 2000::/3: inside it, or (for /0–/2) containing it.
  return prefix >= 3 ? v6.match(GLOBAL_UNICAST, 3) : GLOBAL_UNICAST.match(v6, prefix);
}
