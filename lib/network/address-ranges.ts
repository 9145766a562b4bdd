/**
 * Sets of IP addresses as sorted, disjoint inclusive ranges of integers, one family at a time:
 * the arithmetic behind "which internet addresses can reach this node" (routes, network ACL
 * entries and security-group sources are all CIDRs, and the answer is where they overlap).
 */
import { parseCidr, type Cidr, type Family } from './sources.js';

export interface AddressRange {
  first: bigint;
  last: bigint;
}

export const FAMILY_BITS: Readonly<Record<Family, number>> = { ipv4: 32, ipv6: 128 };

export function cidrRange(cidr: Cidr): AddressRange {
  const size = 1n << BigInt(FAMILY_BITS[cidr.family] - cidr.prefix);
  return { first: cidr.network, last: cidr.network + size - 1n };
}

/** The range of a CIDR text of `family`, or undefined when it is not one (or of the other family). */
export function rangeOfCidr(text: string, family: Family): AddressRange | undefined {
  const cidr = parseCidr(text);
  return cidr && cidr.family === family ? cidrRange(cidr) : undefined;
}

/** Sorted, merged (adjacent ranges joined). */
export function normalise(ranges: readonly AddressRange[]): AddressRange[] {
  const sorted = [...ranges].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const out: AddressRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.first <= last.last + 1n) {
      if (r.last > last.last) last.last = r.last;
    } else out.push({ first: r.first, last: r.last });
  }
  return out;
}

export function intersect(a: readonly AddressRange[], b: readonly AddressRange[]): AddressRange[] {
  const x = normalise(a);
  const y = normalise(b);
  const out: AddressRange[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const first = x[i]!.first > y[j]!.first ? x[i]!.first : y[j]!.first;
    const last = x[i]!.last < y[j]!.last ? x[i]!.last : y[j]!.last;
    if (first <= last) out.push({ first, last });
    if (x[i]!.last < y[j]!.last) i += 1;
    else j += 1;
  }
  return out;
}

export function subtract(a: readonly AddressRange[], b: readonly AddressRange[]): AddressRange[] {
  const cut = normalise(b);
  const out: AddressRange[] = [];
  for (const r of normalise(a)) {
    let first = r.first;
    for (const c of cut) {
      if (c.last < first || c.first > r.last) continue;
      if (c.first > first) out.push({ first, last: c.first - 1n });
      first = c.last + 1n;
      if (first > r.last) break;
    }
    if (first <= r.last) out.push({ first, last: r.last });
  }
  return out;
}

export function size(ranges: readonly AddressRange[]): bigint {
  return normalise(ranges).reduce((n, r) => n + (r.last - r.first + 1n), 0n);
}

export function contains(ranges: readonly AddressRange[], address: bigint): boolean {
  return ranges.some((r) => r.first <= address && address <= r.last);
}

/**
 * Splits `universe` into cells at every edge of `ranges`: within a cell each range holds all of
 * it or none of it, so anything decided by those ranges (a longest-prefix route, a first-match
 * ACL entry) is constant over the cell.
 */
export function cells(universe: readonly AddressRange[], ranges: readonly AddressRange[]): AddressRange[] {
  const cuts = new Set<bigint>();
  for (const r of ranges) {
    cuts.add(r.first);
    cuts.add(r.last + 1n);
  }
  const sortedCuts = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: AddressRange[] = [];
  for (const u of normalise(universe)) {
    let first = u.first;
    for (const c of sortedCuts) {
      if (c <= first) continue;
      if (c > u.last) break;
      out.push({ first, last: c - 1n });
      first = c;
    }
    out.push({ first, last: u.last });
  }
  return out;
}

const ranges = (family: Family, cidrs: readonly string[]): AddressRange[] => cidrs.map((c) => rangeOfCidr(c, family)!);

/**
 * Addresses that are not on the public internet (IANA's special-purpose registries: private,
 * shared, loopback, link-local, documentation, benchmarking, multicast, reserved). Traffic from
 * them never arrives through an internet gateway.
 */
const NON_PUBLIC_V4 = ranges('ipv4', [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
]);

/** Global unicast (2000::/3) less documentation space: the IPv6 internet. */
const PUBLIC_V6 = subtract(ranges('ipv6', ['2000::/3']), ranges('ipv6', ['2001:db8::/32']));

export const PUBLIC_SPACE: Readonly<Record<Family, readonly AddressRange[]>> = {
  ipv4: subtract(ranges('ipv4', ['0.0.0.0/0']), NON_PUBLIC_V4),
  ipv6: PUBLIC_V6,
};

/** Is this single address (no prefix) a public one? */
export function isPublicAddress(address: string): boolean {
  const text = address.includes('/') ? address : `${address}/${address.includes(':') ? 128 : 32}`;
  const cidr = parseCidr(text);
  return cidr !== undefined && contains(PUBLIC_SPACE[cidr.family], cidr.network);
}
