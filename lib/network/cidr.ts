/** CIDR parsing and containment, on integers (ipaddr.js parses; arithmetic is ours). */
import ipaddr from 'ipaddr.js';

export type Family = 'ipv4' | 'ipv6';

export interface Cidr {
  family: Family;
  /** Network address as an integer (host bits cleared). */
  network: bigint;
  prefix: number;
}

const FAMILY_BITS: Record<Family, number> = { ipv4: 32, ipv6: 128 };

function toBigInt(bytes: readonly number[]): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

function mask(family: Family, prefix: number): bigint {
  const bits = FAMILY_BITS[family];
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
