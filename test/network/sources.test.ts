import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { containsPublicAddress, describeSource, isInternetSource, isTrustedSource, parseCidr } from '../../lib/network/sources.js';
import type { RuleSource } from '../../lib/snapshot.js';

const v4 = (cidr: string): RuleSource => ({ type: 'cidr4', cidr });
const v6 = (cidr: string): RuleSource => ({ type: 'cidr6', cidr });

const octet = fc.integer({ min: 0, max: 255 });
const address4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
const address6 = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }).map((parts) => parts.map((p) => p.toString(16)).join(':'));

/**
 * Reference model for IPv4 publicness: enumerate the /24 blocks of the CIDR and ask ipaddr.js for
 * the range of each. Exact, because no special IPv4 range smaller than /24 lies outside a larger one.
 */
function referencePublic4(cidr: string): boolean {
  const [address, prefix] = ipaddr.IPv4.parseCIDR(cidr);
  const base = address.toByteArray().reduce((n, b) => n * 256 + b, 0) & (prefix === 0 ? 0 : ~((1 << (32 - prefix)) - 1));
  const blocks = 2 ** (24 - prefix);
  for (let i = 0; i < blocks; i++) {
    const n = (base >>> 0) + i * 256;
    const block = new ipaddr.IPv4([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
    if (block.range() === 'unicast') return true;
  }
  return false;
}

describe('internet sources (property tests)', () => {
  it('without the widening setting only prefix-0 CIDRs are the internet (IPv4 and IPv6)', () => {
    fc.assert(
      fc.property(address4, fc.integer({ min: 0, max: 32 }), (a, p) => {
        expect(isInternetSource(v4(`${a}/${p}`), {})).toBe(p === 0);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(address6, fc.integer({ min: 0, max: 128 }), (a, p) => {
        expect(isInternetSource(v6(`${a}/${p}`), {})).toBe(p === 0);
      }),
      { numRuns: 1000 },
    );
  });

  it('with widePublicCidrPrefixV4 = N: a CIDR shorter than /N is the internet exactly when it holds a public address', () => {
    fc.assert(
      fc.property(address4, fc.integer({ min: 12, max: 24 }), fc.integer({ min: 1, max: 32 }), (a, p, n) => {
        const cidr = `${a}/${p}`;
        expect(isInternetSource(v4(cidr), { widePublicCidrPrefixV4: n })).toBe(p < n && referencePublic4(cidr));
      }),
      { numRuns: 400 },
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
    ['a public /1 is not the internet by default', v4('128.0.0.0/1'), {}, false],
    ['public /8 shorter than /16 with N=16', v4('8.0.0.0/8'), { widePublicCidrPrefixV4: 16 }, true],
    ['public /16 not shorter than /16', v4('8.8.0.0/16'), { widePublicCidrPrefixV4: 16 }, false],
    ['private 10/8 never', v4('10.0.0.0/8'), { widePublicCidrPrefixV4: 16 }, false],
    ['private 172.16/12 never', v4('172.16.0.0/12'), { widePublicCidrPrefixV4: 16 }, false],
    ['carrier-grade NAT 100.64/10 never', v4('100.64.0.0/10'), { widePublicCidrPrefixV4: 16 }, false],
    ['10.0.0.0/7 holds public 11/8', v4('10.0.0.0/7'), { widePublicCidrPrefixV4: 16 }, true],
    ['0.0.0.0/1 starts in "unspecified" but holds half the internet', v4('0.0.0.0/1'), { widePublicCidrPrefixV4: 8 }, true],
    ['multicast + reserved 224/3 holds nothing public', v4('224.0.0.0/3'), { widePublicCidrPrefixV4: 8 }, false],
    ['IPv6 public /16 with N=32', v6('2a05::/16'), { widePublicCidrPrefixV6: 32 }, true],
    ['IPv6 unique-local fc00::/7 never', v6('fc00::/7'), { widePublicCidrPrefixV6: 32 }, false],
    ['IPv6 documentation 2001:db8::/32 never', v6('2001:db8::/32'), { widePublicCidrPrefixV6: 48 }, false],
    ['the v4 setting does not widen IPv6', v6('2a05::/16'), { widePublicCidrPrefixV4: 32 }, false],
    ['the v6 setting does not widen IPv4', v4('8.0.0.0/8'), { widePublicCidrPrefixV6: 128 }, false],
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

  it('describes sources', () => {
    expect(describeSource(v6('::/0'))).toBe('::/0');
    expect(describeSource({ type: 'prefixList', prefixListId: 'pl-123' })).toBe('prefix list pl-123');
    expect(describeSource({ type: 'securityGroup', groupId: 'sg-1' })).toBe('security group sg-1');
    expect(describeSource({ type: 'securityGroup', groupId: 'sg-1', userId: '111122223333' })).toBe('security group sg-1 (account 111122223333)');
  });
});
