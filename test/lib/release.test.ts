import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareReleases, minorReleasesBehind, newestRelease, parseReleaseLabel, parseReleaseLabels } from '../../lib/release.js';

const v = (label: string) => {
  const parsed = parseReleaseLabel(label);
  if (!parsed) throw new Error(`bad label ${label}`);
  return parsed;
};

describe('parseReleaseLabel', () => {
  it('parses emr-X.Y.Z', () => {
    expect(parseReleaseLabel('emr-6.15.1')).toEqual({ label: 'emr-6.15.1', major: 6, minor: 15, patch: 1 });
    expect(parseReleaseLabel(' emr-7.0.0 ')).toEqual({ label: 'emr-7.0.0', major: 7, minor: 0, patch: 0 });
  });

  it.each(['', 'emr-7', 'emr-7.1', 'emr-7.1.0-latest', 'EMR-7.1.0', '3.11.0', 'emr-7.x.0', 'emr-7.1.0.1'])('rejects %j', (label) => {
    expect(parseReleaseLabel(label)).toBeUndefined();
  });
});

describe('compareReleases / newestRelease', () => {
  it('orders numerically by major, minor, patch', () => {
    expect(compareReleases(v('emr-6.9.0'), v('emr-6.10.0'))).toBeLessThan(0);
    expect(compareReleases(v('emr-7.0.0'), v('emr-6.15.1'))).toBeGreaterThan(0);
    expect(compareReleases(v('emr-6.15.1'), v('emr-6.15.0'))).toBeGreaterThan(0);
    expect(compareReleases(v('emr-6.15.1'), v('emr-6.15.1'))).toBe(0);
  });

  it('finds the newest', () => {
    expect(newestRelease(parseReleaseLabels(['emr-6.9.0', 'emr-6.10.0', 'emr-5.36.2', 'junk']))?.label).toBe('emr-6.10.0');
    expect(newestRelease([])).toBeUndefined();
  });

  it('is a total order consistent with sorting tuples', () => {
    const version = fc.tuple(fc.nat(20), fc.nat(30), fc.nat(5));
    fc.assert(
      fc.property(version, version, ([a1, a2, a3], [b1, b2, b3]) => {
        const a = v(`emr-${a1}.${a2}.${a3}`);
        const b = v(`emr-${b1}.${b2}.${b3}`);
        const expected = a1 !== b1 ? a1 - b1 : a2 !== b2 ? a2 - b2 : a3 - b3;
        expect(Math.sign(compareReleases(a, b))).toBe(Math.sign(expected));
      }),
    );
  });
});

describe('minorReleasesBehind', () => {
  const available = parseReleaseLabels(['emr-6.13.0', 'emr-6.14.0', 'emr-6.15.0', 'emr-6.15.1', 'emr-7.0.0', 'emr-7.1.0']);

  it('counts distinct newer minors of the same major only', () => {
    expect(minorReleasesBehind(v('emr-6.12.0'), available)).toBe(3);
    expect(minorReleasesBehind(v('emr-6.15.0'), available)).toBe(0);
    expect(minorReleasesBehind(v('emr-7.0.0'), available)).toBe(1);
  });

  it('is 0 for a major absent from the list', () => {
    expect(minorReleasesBehind(v('emr-8.0.0'), available)).toBe(0);
  });
});
