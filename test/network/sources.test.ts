import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { GLOBAL_UNICAST_V6, NON_PUBLIC_V4, NON_PUBLIC_V6, PUBLIC_EXCEPTIONS_V4, PUBLIC_EXCEPTIONS_V6, isPublicAddress, publicAddressCount } from '../../lib/network/public-space.js';
import { containsPublicAddress, describeSource, isInternetSource, isTrustedSource, parseCidr } from '../../lib/network/sources.js';
import type { RuleSource } from '../../lib/snapshot.js';

const v4 = (cidr: string): RuleSource => ({ type: 'cidr4', cidr });
const v6 = (cidr: string): RuleSource => ({ type: 'cidr6', cidr });

const octet = fc.integer({ min: 0, max: 255 });
const address4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
const address6 = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }).map((parts) => parts.map((p) => p.toString(16)).join(':'));

/**
 * Reference model for counting public addresses, independent of lib/network/public-space.ts's
 * prefix arithmetic: plain number intervals, merged, over the IANA tables.
 */
type Interval = [start: bigint, end: bigint];

function interval(cidr: string): Interval {
  const [address, prefix] = ipaddr.parseCIDR(cidr);
  const bits = address.kind() === 'ipv4' ? 32 : 128;
  const n = address.toByteArray().reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
  const size = 1n << BigInt(bits - prefix);
  const start = (n / size) * size;
  return [start, start + size - 1n];
}

function minus(a: Interval[], hole: Interval): Interval[] {
  return a.flatMap(([s, e]) => {
    if (hole[1] < s || hole[0] > e) return [[s, e] as Interval];
    const out: Interval[] = [];
    if (hole[0] > s) out.push([s, hole[0] - 1n]);
    if (hole[1] < e) out.push([hole[1] + 1n, e]);
    return out;
  });
}

function referencePublic(cidr: string, family: 'ipv4' | 'ipv6'): bigint {
  let space: Interval[] = [interval(family === 'ipv4' ? '0.0.0.0/0' : GLOBAL_UNICAST_V6)];
  const table = family === 'ipv4' ? NON_PUBLIC_V4 : NON_PUBLIC_V6;
  for (const [c] of table) space = minus(space, interval(c));
  // Exceptions are public again: add them back (they lie inside removed entries).
  const back = (family === 'ipv4' ? PUBLIC_EXCEPTIONS_V4 : PUBLIC_EXCEPTIONS_V6).map(interval);
  space = [...space, ...back];
  const [s, e] = interval(cidr);
  return space.reduce((sum, [a, b]) => {
    const lo = a > s ? a : s;
    const hi = b < e ? b : e;
    return hi >= lo ? sum + (hi - lo + 1n) : sum;
  }, 0n);
}

const nonPublicBlock4 = fc
  .tuple(fc.constantFrom(...NON_PUBLIC_V4.map(([c]) => c)), fc.nat(), fc.integer({ min: 0, max: 32 }))
  .map(([outer, offset, extra]) => subBlock(outer, offset, extra, 32))
  .filter((c) => !PUBLIC_EXCEPTIONS_V4.some((e) => overlaps(c, e)));
const nonPublicBlock6 = fc
  .tuple(fc.constantFrom('::/3', '4000::/2', '8000::/1', ...NON_PUBLIC_V6.map(([c]) => c)), fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.integer({ min: 0, max: 128 }))
  .map(([outer, offset, extra]) => subBlock(outer, offset, extra, 128))
  .filter((c) => !PUBLIC_EXCEPTIONS_V6.some((e) => overlaps(c, e)));

/** A random CIDR inside `outer`: `extra` more prefix bits, filled from `offset`. */
function subBlock(outer: string, offset: number | bigint, extra: number, bits: number): string {
  const [start] = interval(outer);
  const outerPrefix = Number(outer.split('/')[1]);
  const prefix = Math.min(bits, outerPrefix + extra);
  const span = 1n << BigInt(bits - outerPrefix);
  const blockSize = 1n << BigInt(bits - prefix);
  const network = start + ((BigInt(offset) * blockSize) % span);
  return `${toText(network, bits)}/${prefix}`;
}

function toText(n: bigint, bits: number): string {
  const bytes: number[] = [];
  for (let i = bits / 8 - 1; i >= 0; i--) bytes.push(Number((n >> BigInt(i * 8)) & 255n));
  return ipaddr.fromByteArray(bytes).toString();
}

function overlaps(a: string, b: string): boolean {
  const [as, ae] = interval(a);
  const [bs, be] = interval(b);
  return as <= be && bs <= ae;
}

describe('internet sources (property tests)', () => {
  it('"internet-scale" never includes a block that holds no public address, whatever the setting', () => {
    fc.assert(
      fc.property(nonPublicBlock4, fc.integer({ min: 1, max: 32 }), (cidr, n) => {
        expect(referencePublic(cidr, 'ipv4')).toBe(0n);
        expect(isInternetSource(v4(cidr), { widePublicCidrPrefixV4: n }), cidr).toBe(false);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(nonPublicBlock6, fc.integer({ min: 1, max: 128 }), (cidr, n) => {
        fc.pre(!cidr.endsWith('/0'));
        expect(referencePublic(cidr, 'ipv6')).toBe(0n);
        expect(isInternetSource(v6(cidr), { widePublicCidrPrefixV6: n }), cidr).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('counts public addresses exactly (against an interval model), and is the internet from a /(N-1)\'s worth', () => {
    fc.assert(
      fc.property(address4, fc.integer({ min: 1, max: 32 }), fc.integer({ min: 1, max: 32 }), (a, p, n) => {
        const cidr = `${a}/${p}`;
        const count = referencePublic(cidr, 'ipv4');
        expect(publicAddressCount(parseCidr(cidr)!)).toBe(count);
        expect(isInternetSource(v4(cidr), { widePublicCidrPrefixV4: n })).toBe(count >= 1n << BigInt(33 - n));
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(address6, fc.integer({ min: 1, max: 128 }), fc.integer({ min: 1, max: 128 }), (a, p, n) => {
        const cidr = `${a}/${p}`;
        const count = referencePublic(cidr, 'ipv6');
        expect(publicAddressCount(parseCidr(cidr)!)).toBe(count);
        const [lo, hi] = interval(cidr);
        const [guLo, guHi] = interval('2000::/3');
        const letter = count > 0n && p <= Math.min(16, n - 1) && ((lo >= guLo && hi <= guHi) || (lo <= guLo && hi >= guHi));
        expect(isInternetSource(v6(cidr), { widePublicCidrPrefixV6: n })).toBe(letter || count >= 1n << BigInt(129 - n));
      }),
      { numRuns: 1000 },
    );
  });

  it('by default: prefix 0 always; an IPv4 CIDR with 2^24 public addresses; an IPv6 /16 or wider inside 2000::/3', () => {
    fc.assert(
      fc.property(address4, fc.integer({ min: 0, max: 32 }), (a, p) => {
        const cidr = `${a}/${p}`;
        expect(isInternetSource(v4(cidr), {})).toBe(p === 0 || referencePublic(cidr, 'ipv4') >= 1n << 24n);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0x2000, max: 0x3fff }), fc.integer({ min: 3, max: 128 }), (first, p) => {
        const cidr = `${first.toString(16)}::/${p}`;
        const [network] = interval(cidr);
        // Inside 2000::/3 and not in a non-public entry: the prefix length alone decides.
        fc.pre(referencePublic(cidr, 'ipv6') === 1n << BigInt(128 - p) && network >= interval('2000::/3')[0]);
        expect(isInternetSource(v6(cidr), {})).toBe(p <= 16);
      }),
      { numRuns: 500 },
    );
  });

  it('prefix lists and security groups are never the internet', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 128 }), (id, n) => {
        const settings = { widePublicCidrPrefixV4: Math.min(n, 32), widePublicCidrPrefixV6: n };
        expect(isInternetSource({ type: 'prefixList', prefixListId: `pl-${id}` }, settings)).toBe(false);
        expect(isInternetSource({ type: 'securityGroup', groupId: `sg-${id}` }, settings)).toBe(false);
      }),
    );
  });

  it('trusted: inside a trusted CIDR of the same family, per ipaddr.js matching', () => {
    fc.assert(
      fc.property(address4, fc.integer({ min: 0, max: 32 }), address4, fc.integer({ min: 0, max: 32 }), (a, p, t, q) => {
        const [net] = ipaddr.IPv4.parseCIDR(`${a}/${p}`);
        const expected = p >= q && net.match(ipaddr.IPv4.parseCIDR(`${t}/${q}`));
        expect(isTrustedSource(v4(`${a}/${p}`), [`${t}/${q}`])).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('internet sources (table)', () => {
  it.each([
    ['0.0.0.0/0', v4('0.0.0.0/0'), {}, true],
    ['::/0', v6('::/0'), {}, true],
    ['a /0 written with host bits is still everything', v4('198.51.100.7/0'), {}, true],
    ['0.0.0.0/1 (half of a split 0/0) by default', v4('0.0.0.0/1'), {}, true],
    ['128.0.0.0/1 (the other half) by default', v4('128.0.0.0/1'), {}, true],
    ['52.0.0.0/8: 2^24 public addresses by default', v4('52.0.0.0/8'), {}, true],
    ['a public /9 is below 2^24 by default', v4('52.0.0.0/9'), {}, false],
    ['private 10.0.0.0/8 never, however wide', v4('10.0.0.0/8'), {}, false],
    ['shared 100.64.0.0/10 never', v4('100.64.0.0/10'), { widePublicCidrPrefixV4: 32 }, false],
    ['private 172.16/12 never', v4('172.16.0.0/12'), { widePublicCidrPrefixV4: 32 }, false],
    ['loopback 127/8 never', v4('127.0.0.0/8'), { widePublicCidrPrefixV4: 32 }, false],
    ['link-local 169.254/16 never', v4('169.254.0.0/16'), { widePublicCidrPrefixV4: 32 }, false],
    ['multicast + reserved 224/3 holds nothing public', v4('224.0.0.0/3'), { widePublicCidrPrefixV4: 32 }, false],
    ['10.0.0.0/7 holds exactly 2^24 public (11/8)', v4('10.0.0.0/7'), {}, true],
    ['96.0.0.0/4 minus shared and loopback still internet-scale', v4('96.0.0.0/4'), {}, true],
    ['N=16 (old meaning kept): a public /16 is not shorter than /16', v4('8.8.0.0/16'), { widePublicCidrPrefixV4: 16 }, false],
    ['N=16: a public /15 is', v4('8.8.0.0/15'), { widePublicCidrPrefixV4: 16 }, true],
    ['N=1 tightens to 0.0.0.0/0 only', v4('0.0.0.0/1'), { widePublicCidrPrefixV4: 1 }, false],
    ['IPv6 2000::/16 by default', v6('2000::/16'), {}, true],
    ['IPv6 2000::/3 (all global unicast)', v6('2000::/3'), {}, true],
    ['IPv6 ::/1 holds 2000::/3', v6('::/1'), {}, true],
    ['IPv6 a /17 inside 2000::/3 is not, by default', v6('2a05::/17'), {}, false],
    ['IPv6 unique-local fd00::/8 never', v6('fd00::/8'), { widePublicCidrPrefixV6: 128 }, false],
    ['IPv6 unique-local fc00::/7 never', v6('fc00::/7'), { widePublicCidrPrefixV6: 128 }, false],
    ['IPv6 documentation 2001:db8::/32 never', v6('2001:db8::/32'), { widePublicCidrPrefixV6: 128 }, false],
    ['IPv6 outside 2000::/3 (4000::/2) never', v6('4000::/2'), { widePublicCidrPrefixV6: 128 }, false],
    ['IPv6 public /16 with N=32', v6('2a05::/16'), { widePublicCidrPrefixV6: 32 }, true],
    ['the v4 setting does not widen IPv6', v6('2a05::/20'), { widePublicCidrPrefixV4: 32 }, false],
    ['the v6 setting does not widen IPv4', v4('8.0.0.0/9'), { widePublicCidrPrefixV6: 128 }, false],
    ['garbage is not the internet', v4('not-a-cidr'), { widePublicCidrPrefixV4: 32 }, false],
  ] as const)('%s', (_name, source, settings, expected) => {
    expect(isInternetSource(source, settings)).toBe(expected);
  });

  it('trusted CIDRs, IPv4 and IPv6, same family only', () => {
    expect(isTrustedSource(v4('203.0.113.0/25'), ['203.0.113.0/24'])).toBe(true);
    expect(isTrustedSource(v4('203.0.113.0/24'), ['203.0.113.0/25'])).toBe(false);
    expect(isTrustedSource(v4('0.0.0.0/0'), ['203.0.113.0/24'])).toBe(false);
    expect(isTrustedSource(v4('0.0.0.0/0'), ['0.0.0.0/0'])).toBe(true);
    expect(isTrustedSource(v6('2001:db8:1::/48'), ['2001:db8::/32'])).toBe(true);
    expect(isTrustedSource(v6('::/0'), ['2001:db8::/32'])).toBe(false);
    expect(isTrustedSource(v6('::ffff:203.0.113.0/120'), ['203.0.113.0/24'])).toBe(false);
    expect(isTrustedSource({ type: 'prefixList', prefixListId: 'pl-1' }, ['0.0.0.0/0'])).toBe(false);
  });

  it('parses CIDRs, ignoring host bits', () => {
    expect(parseCidr('10.1.2.3/8')).toEqual({ family: 'ipv4', network: 10n << 24n, prefix: 8 });
    expect(parseCidr('10.0.0.0')).toBeUndefined();
    expect(containsPublicAddress(parseCidr('192.168.0.0/16')!)).toBe(false);
  });

  it('counts public addresses: IANA exceptions inside non-public entries are public', () => {
    expect(publicAddressCount(parseCidr('192.0.0.0/24')!)).toBe(2n);
    expect(publicAddressCount(parseCidr('0.0.0.0/1')!)).toBe((1n << 31n) - 3n * (1n << 24n) - (1n << 22n));
    expect(publicAddressCount(parseCidr('2002::/16')!)).toBe(1n << 112n);
    expect(isPublicAddress('2600:1f18:abcd::10')).toBe(true);
    expect(isPublicAddress('fe80::1')).toBe(false);
    expect(isPublicAddress('fd12:3456::1')).toBe(false);
    expect(isPublicAddress('2001:db8::1')).toBe(false);
    expect(isPublicAddress('203.0.113.9')).toBe(false);
    expect(isPublicAddress('52.1.2.3')).toBe(true);
    expect(isPublicAddress('not an address')).toBe(false);
  });

  it('describes sources', () => {
    expect(describeSource(v6('::/0'))).toBe('::/0');
    expect(describeSource({ type: 'prefixList', prefixListId: 'pl-123' })).toBe('prefix list pl-123');
    expect(describeSource({ type: 'securityGroup', groupId: 'sg-1' })).toBe('security group sg-1');
    expect(describeSource({ type: 'securityGroup', groupId: 'sg-1', userId: '111122223333' })).toBe('security group sg-1 (account 111122223333)');
  });
});
