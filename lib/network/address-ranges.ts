/**
 * Sets of IP addresses as sorted, disjoint inclusive ranges of integers, one family at a time:
 * the arithmetic behind "which internet addresses can reach this node" (routes, network ACL
 * entries and security-group sources are all CIDRs, and the answer is where they overlap).
 */
import { parseCidr, type Cidr, type Family } from './cidr.js';
import { publicSpace } from './public-space.js';

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

/** The public internet of each family as ranges: public-space.ts's base less its non-public blocks. */
function publicRanges(family: Family): AddressRange[] {
  const space = publicSpace(family);
  return subtract([cidrRange(space.base)], space.nonPublic.map(cidrRange));
}

export const PUBLIC_SPACE: Readonly<Record<Family, readonly AddressRange[]>> = {
  ipv4: publicRanges('ipv4'),
  ipv6: publicRanges('ipv6'),
};
