import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coversPort, describeTraffic, isAllTraffic, portSpans, ruleTraffic, spanWithin, type RulePorts, type Transport } from '../../lib/network/ports.js';

// ---------------------------------------------------------------- reference model (CHECKS.md, read literally)

const TCP = new Set(['tcp', '6']);
const UDP = new Set(['udp', '17']);

/** "covers port P": protocol -1, or the rule's own transport with FromPort ≤ P ≤ ToPort. */
function referenceCovers(rule: RulePorts, transport: Transport, port: number): boolean {
  if (rule.protocol === '-1') return true;
  const own = transport === 'tcp' ? TCP : UDP;
  if (!own.has(rule.protocol)) return false;
  return (rule.fromPort ?? 0) <= port && port <= (rule.toPort ?? 65535);
}

/** "All traffic": protocol -1, or every port 0–65535 of tcp or of udp covered — by enumeration. */
function referenceAllTraffic(rule: RulePorts): boolean {
  if (rule.protocol === '-1') return true;
  for (const t of ['tcp', 'udp'] as const) {
    let all = true;
    for (let p = 0; p <= 65535 && all; p++) all = referenceCovers(rule, t, p);
    if (all) return true;
  }
  return false;
}

const port = fc.integer({ min: 0, max: 65535 });
const transport = fc.constantFrom<Transport>('tcp', 'udp');

/** Rules as EC2 returns them: tcp/udp with ordered ports, -1 with -1/absent ports, ICMP types, port-less protocols. */
const rule: fc.Arbitrary<RulePorts> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('tcp', '6', 'udp', '17'),
      // Bias towards the boundaries that decide "all traffic": 0-65535 vs 1-65535 vs 0-65534.
      fc.oneof(port, fc.constantFrom(0, 1)),
      fc.oneof(port, fc.constantFrom(65534, 65535)),
    )
    .map(([protocol, a, b]) => ({ protocol, fromPort: Math.min(a, b), toPort: Math.max(a, b) })),
  fc.constantFrom<RulePorts>({ protocol: '-1' }, { protocol: '-1', fromPort: -1, toPort: -1 }),
  fc.tuple(fc.constantFrom('icmp', '1', 'icmpv6', '58'), fc.integer({ min: -1, max: 255 })).map(([protocol, t]) => ({ protocol, fromPort: t, toPort: -1 })),
  fc.constantFrom<RulePorts>({ protocol: '47' }, { protocol: '50' }, { protocol: '132', fromPort: -1, toPort: -1 }),
);

describe('port coverage (property tests against the reference model)', () => {
  it('coversPort agrees with the reference for every protocol, transport and port', () => {
    fc.assert(
      fc.property(rule, transport, port, (r, t, p) => {
        expect(coversPort(r, t, p)).toBe(referenceCovers(r, t, p));
      }),
      { numRuns: 2000 },
    );
  });

  it('isAllTraffic agrees with enumerating all 65536 ports', () => {
    fc.assert(
      fc.property(rule, (r) => {
        expect(isAllTraffic(r)).toBe(referenceAllTraffic(r));
      }),
      { numRuns: 150 },
    );
  });

  it('portSpans describes exactly the covered tcp/udp ports', () => {
    fc.assert(
      fc.property(rule, transport, port, (r, t, p) => {
        const inSpan = portSpans(r).some((s) => s.transport === t && s.from <= p && p <= s.to);
        expect(inSpan).toBe(referenceCovers(r, t, p));
      }),
      { numRuns: 2000 },
    );
  });

  it('spanWithin agrees with checking every port of the span', () => {
    const small = fc.integer({ min: 0, max: 60 });
    const range = fc.tuple(small, small).map(([a, b]) => ({ from: Math.min(a, b), to: Math.max(a, b) }));
    fc.assert(
      fc.property(range, fc.array(range, { maxLength: 5 }), (span, allowed) => {
        let every = true;
        for (let p = span.from; p <= span.to; p++) every &&= allowed.some((r) => r.from <= p && p <= r.to);
        expect(spanWithin(span, allowed)).toBe(every);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('port coverage (table)', () => {
  it.each([
    ['tcp 22 covers tcp 22', { protocol: 'tcp', fromPort: 22, toPort: 22 }, 'tcp', 22, true],
    ['tcp 22 does not cover udp 22', { protocol: 'tcp', fromPort: 22, toPort: 22 }, 'udp', 22, false],
    ['udp 0-65535 does not cover tcp 22', { protocol: 'udp', fromPort: 0, toPort: 65535 }, 'tcp', 22, false],
    ['udp 53 covers udp 53', { protocol: 'udp', fromPort: 53, toPort: 53 }, 'udp', 53, true],
    ['range lower bound', { protocol: 'tcp', fromPort: 8000, toPort: 9000 }, 'tcp', 8000, true],
    ['range upper bound', { protocol: 'tcp', fromPort: 8000, toPort: 9000 }, 'tcp', 9000, true],
    ['just above the range', { protocol: 'tcp', fromPort: 8000, toPort: 9000 }, 'tcp', 9001, false],
    ['protocol 6 is tcp', { protocol: '6', fromPort: 20, toPort: 25 }, 'tcp', 22, true],
    ['protocol 17 is udp', { protocol: '17', fromPort: 20, toPort: 25 }, 'udp', 22, true],
    ['-1 with -1 ports covers everything', { protocol: '-1', fromPort: -1, toPort: -1 }, 'udp', 9, true],
    ['-1 with absent ports covers everything', { protocol: '-1' }, 'tcp', 65535, true],
    ['icmp never covers a port', { protocol: 'icmp', fromPort: 22, toPort: -1 }, 'tcp', 22, false],
    ['icmpv6 (58) never covers a port', { protocol: '58', fromPort: -1, toPort: -1 }, 'tcp', 22, false],
    ['GRE (47) covers no tcp port', { protocol: '47' }, 'tcp', 22, false],
    ['TCP in upper case', { protocol: 'TCP', fromPort: 22, toPort: 22 }, 'tcp', 22, true],
  ] as const)('%s', (_name, r, t, p, expected) => {
    expect(coversPort(r, t, p)).toBe(expected);
  });

  it('tcp/udp with missing ports are read as all ports of that protocol (over-report rather than miss)', () => {
    expect(ruleTraffic({ protocol: 'tcp' })).toEqual({ kind: 'ports', transport: 'tcp', from: 0, to: 65535 });
    expect(isAllTraffic({ protocol: 'udp', fromPort: -1, toPort: -1 })).toBe(true);
  });

  it('all traffic: protocol -1, or tcp/udp over 0–65535, but not 1-65535', () => {
    expect(isAllTraffic({ protocol: '-1' })).toBe(true);
    expect(isAllTraffic({ protocol: 'tcp', fromPort: 0, toPort: 65535 })).toBe(true);
    expect(isAllTraffic({ protocol: 'udp', fromPort: 0, toPort: 65535 })).toBe(true);
    expect(isAllTraffic({ protocol: 'tcp', fromPort: 1, toPort: 65535 })).toBe(false);
    expect(isAllTraffic({ protocol: 'icmp', fromPort: -1, toPort: -1 })).toBe(false);
    expect(isAllTraffic({ protocol: '47' })).toBe(false);
  });

  it('describes traffic the way users write it', () => {
    expect(describeTraffic({ protocol: 'tcp', fromPort: 22, toPort: 22 })).toBe('tcp 22');
    expect(describeTraffic({ protocol: '6', fromPort: 8000, toPort: 9000 })).toBe('tcp 8000-9000');
    expect(describeTraffic({ protocol: '-1' })).toBe('all traffic (protocol -1)');
    expect(describeTraffic({ protocol: 'icmpv6', fromPort: -1, toPort: -1 })).toBe('icmpv6');
    expect(describeTraffic({ protocol: '47' })).toBe('protocol 47');
  });
});
