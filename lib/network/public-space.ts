/**
 * The public address space, counted exactly: how many public addresses a CIDR holds.
 *
 * "Public" is what the IANA special-purpose address registries do not take out of the global
 * internet (https://www.iana.org/assignments/iana-ipv4-special-registry and
 * …/iana-ipv6-special-registry: every entry whose "Globally Reachable" is False), plus the IPv4
 * multicast and reserved space (224.0.0.0/3, from the IPv4 address space registry). IPv6 public
 * space is global unicast (2000::/3) minus its non-public entries; everything outside 2000::/3 is
 * special or unallocated. Entries marked N/A (6to4 2002::/16, Teredo 2001::/32, the deprecated
 * 6to4 relay anycast 192.88.99.0/24) stay public: they carry traffic from the internet through
 * relays, and reading them as private could hide an open rule.
 *
 * The tables are ours, not ipaddr.js's `range()`: ipaddr.js files globally reachable blocks such as
 * AS112 and AMT under special ranges, and its table is not part of its typed API.
 */
import { cidrWithin, parseCidr, type Cidr, type Family } from './cidr.js';

export const BITS: Readonly<Record<Family, number>> = { ipv4: 32, ipv6: 128 };

/** Globally Reachable False (IPv4 special-purpose registry), multicast and reserved. */
export const NON_PUBLIC_V4: ReadonlyArray<readonly [cidr: string, name: string]> = [
  ['0.0.0.0/8', '"this network"'],
  ['10.0.0.0/8', 'private-use'],
  ['100.64.0.0/10', 'shared address space'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private-use'],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.0.2.0/24', 'documentation (TEST-NET-1)'],
  ['192.168.0.0/16', 'private-use'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation (TEST-NET-2)'],
  ['203.0.113.0/24', 'documentation (TEST-NET-3)'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved (and limited broadcast)'],
];

/** Globally reachable blocks inside a non-public entry above (registry entries marked True). */
export const PUBLIC_EXCEPTIONS_V4: readonly string[] = ['192.0.0.9/32', '192.0.0.10/32'];

/** IPv6 global unicast: the only IPv6 space that can be public. */
export const GLOBAL_UNICAST_V6 = '2000::/3';

/** Globally Reachable False inside 2000::/3 (IPv6 special-purpose registry). */
export const NON_PUBLIC_V6: ReadonlyArray<readonly [cidr: string, name: string]> = [
  ['2001::/23', 'IETF protocol assignments'],
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
];

/** Globally reachable (True, or N/A for Teredo) blocks inside 2001::/23. */
export const PUBLIC_EXCEPTIONS_V6: readonly string[] = [
  '2001::/32', // Teredo (N/A: relayed from the internet)
  '2001:1::1/128', // Port Control Protocol anycast
  '2001:1::2/128', // TURN anycast
  '2001:3::/32', // AMT
  '2001:4:112::/48', // AS112-v6
  '2001:20::/28', // ORCHIDv2
  '2001:30::/28', // drone remote ID protocol entity tags
];

function must(text: string): Cidr {
  const c = parseCidr(text);
  if (!c) throw new Error(`public-space table: "${text}" is not a CIDR`);
  return c;
}

/** `outer` without the `holes` inside it, as disjoint CIDRs (split in halves around each hole). */
export function subtract(outer: Cidr, holes: readonly Cidr[]): Cidr[] {
  const inside = holes.filter((h) => cidrWithin(h, outer) || cidrWithin(outer, h));
  if (inside.length === 0) return [outer];
  if (inside.some((h) => cidrWithin(outer, h))) return [];
  const bits = BITS[outer.family];
  const prefix = outer.prefix + 1;
  const low: Cidr = { family: outer.family, network: outer.network, prefix };
  const high: Cidr = { family: outer.family, network: outer.network | (1n << BigInt(bits - prefix)), prefix };
  return [...subtract(low, inside), ...subtract(high, inside)];
}

export interface PublicSpace {
  /** Where public addresses may be: 0.0.0.0/0, resp. 2000::/3. */
  base: Cidr;
  /** Disjoint non-public blocks inside `base`. */
  nonPublic: Cidr[];
}

function build(family: Family): PublicSpace {
  const base = must(family === 'ipv4' ? '0.0.0.0/0' : GLOBAL_UNICAST_V6);
  const table = family === 'ipv4' ? NON_PUBLIC_V4 : NON_PUBLIC_V6;
  const exceptions = (family === 'ipv4' ? PUBLIC_EXCEPTIONS_V4 : PUBLIC_EXCEPTIONS_V6).map(must);
  const entries = table.map(([c]) => must(c));
  // Keep only the outermost entries so the blocks are disjoint (CIDRs nest or do not overlap).
  const outermost = entries.filter((e, i) => !entries.some((o, j) => j !== i && cidrWithin(e, o) && (o.prefix < e.prefix || j < i)));
  return { base, nonPublic: outermost.flatMap((e) => subtract(e, exceptions)) };
}

const spaces: Partial<Record<Family, PublicSpace>> = {};

export function publicSpace(family: Family): PublicSpace {
  return (spaces[family] ??= build(family));
}

function size(c: Cidr): bigint {
  return 1n << BigInt(BITS[c.family] - c.prefix);
}

/** Addresses two CIDRs of one family share: the smaller one when they nest, else none. */
function overlap(a: Cidr, b: Cidr): bigint {
  if (cidrWithin(a, b)) return size(a);
  if (cidrWithin(b, a)) return size(b);
  return 0n;
}

/** The number of public addresses in the CIDR. */
export function publicAddressCount(cidr: Cidr): bigint {
  const space = publicSpace(cidr.family);
  let count = overlap(cidr, space.base);
  if (count === 0n) return 0n;
  for (const block of space.nonPublic) count -= overlap(cidr, block);
  return count;
}

/** Does the CIDR hold at least one public address? */
export function containsPublicAddress(cidr: Cidr): boolean {
  return publicAddressCount(cidr) > 0n;
}

/** Is the address (IPv4 or IPv6 text) public? False for text that is not an address. */
export function isPublicAddress(address: string): boolean {
  const text = address.trim();
  const cidr = parseCidr(`${text}/${text.includes(':') ? 128 : 32}`);
  return cidr !== undefined && containsPublicAddress(cidr);
}
