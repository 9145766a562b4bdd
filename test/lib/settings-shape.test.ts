import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../../checks/index.js';
import { loadSettings, SETTING_SPECS, SettingsError } from '../../lib/settings.js';
import { intRangeSource, shapeHasPattern, shapePattern, type ValueShape } from '../../lib/settings-shape.js';
import { SETTING_CASES } from './settings-cases.js';

const accepts = (env: string, raw: string): boolean => {
  try {
    loadSettings({ [env]: raw }, {}, { knownCheckIds: CHECK_IDS });
    return true;
  } catch (e) {
    if (!(e instanceof SettingsError)) throw e;
    return false;
  }
};

/** The pattern a setting's CloudFormation parameter gets (check ids: the registry's). */
function patternOf(env: string): RegExp {
  const spec = SETTING_SPECS.find((s) => s.env === env)!;
  const items = spec.key === 'disabledChecks' ? CHECK_IDS : undefined;
  return new RegExp(shapePattern(spec.parse.shape, { items }));
}

describe('the settings cases', () => {
  it('cover every setting', () => {
    expect(Object.keys(SETTING_CASES).sort()).toEqual(SETTING_SPECS.map((s) => s.env).sort());
  });

  for (const [env, cases] of Object.entries(SETTING_CASES)) {
    it(`${env}: the parser accepts the valid values and refuses the others, naming the variable`, () => {
      for (const raw of [...cases.valid, ...(cases.templateStricter ?? [])]) expect(accepts(env, raw), JSON.stringify(raw)).toBe(true);
      for (const raw of [...cases.invalid, ...(cases.parserOnly ?? [])]) {
        expect(() => loadSettings({ [env]: raw }, {}, { knownCheckIds: CHECK_IDS }), JSON.stringify(raw)).toThrow(new RegExp(`^${env}: `));
      }
    });
  }
});

describe('every parser carries the shape of what it accepts', () => {
  it('has a shape on every spec', () => {
    for (const s of SETTING_SPECS) expect(s.parse.shape, s.env).toHaveProperty('kind');
  });
});

describe('integer range expressions', () => {
  it('match exactly the canonical integers of the range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70_000 }), fc.integer({ min: 0, max: 70_000 }), fc.integer({ min: 0, max: 140_000 }), (a, b, n) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const re = new RegExp(`^${intRangeSource(lo, hi)}$`);
        expect(re.test(String(n)), `${n} in ${lo}..${hi}`).toBe(n >= lo && n <= hi);
        expect(re.test(String(lo)) && re.test(String(hi))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('handle the edges of digit lengths', () => {
    for (const [lo, hi] of [[0, 0], [0, 9], [1, 10], [9, 10], [0, 65535], [5, 600], [1, 128], [10, 99], [100, 100]] as const) {
      const re = new RegExp(`^${intRangeSource(lo, hi)}$`);
      const wrong: number[] = [];
      for (let n = 0; n <= hi * 2 + 10; n++) if (re.test(String(n)) !== (n >= lo && n <= hi)) wrong.push(n);
      expect(wrong, `${lo}..${hi}`).toEqual([]);
    }
  });
});

/** Strings from a small alphabet: where parser and pattern could disagree. */
const from = (chars: string, maxLength = 14) => fc.string({ unit: fc.constantFrom(...chars), maxLength });
const DIGITS = '0123456789';

describe('the patterns agree with the parsers', () => {
  const settingOf = (key: string) => SETTING_SPECS.find((s) => s.key === key)!;
  const agree = (env: string, arbitrary: fc.Arbitrary<string>, expressible: (raw: string, error: string) => boolean = () => false) => {
    const re = patternOf(env);
    fc.assert(
      fc.property(arbitrary, (raw) => {
        let error = '';
        try {
          loadSettings({ [env]: raw }, {}, { knownCheckIds: CHECK_IDS });
        } catch (e) {
          error = (e as Error).message;
        }
        // Accepted by the parser ⇒ matched; matched ⇒ accepted unless the reason is beyond a pattern.
        if (!error) expect(re.test(raw), `${JSON.stringify(raw)} accepted by the parser`).toBe(true);
        else if (re.test(raw)) expect(expressible(raw, error), `${JSON.stringify(raw)} matched, but the parser says ${error}`).toBe(true);
      }),
      { numRuns: 600 },
    );
  };

  it('the valid cases match the patterns, the invalid ones do not', () => {
    for (const [env, cases] of Object.entries(SETTING_CASES)) {
      const re = patternOf(env);
      for (const raw of [...cases.valid, ...(cases.parserOnly ?? [])]) expect(re.test(raw), `${env}=${JSON.stringify(raw)}`).toBe(true);
      for (const raw of [...cases.invalid, ...(cases.templateStricter ?? [])]) expect(re.test(raw), `${env}=${JSON.stringify(raw)}`).toBe(false);
    }
  });

  it('whole numbers (decimal digits only, leading zeros allowed, not trimmed)', () => {
    const numeric = from(`${DIGITS}+. \t`);
    for (const s of SETTING_SPECS.filter((x) => x.parse.shape.kind === 'int')) agree(s.env, numeric);
  });

  it('decimals (the range is the parser’s)', () => {
    agree(settingOf('rateMultiplier').env, from(`${DIGITS}+. `), (_raw, error) => /expected a number from/.test(error));
  });

  it('booleans in any letter case', () => {
    const word = fc
      .tuple(fc.constantFrom('true', 'false', 'yes', 'no', 'on', 'off', '1', '0', 'tru', 'onn', 'y', ''), fc.array(fc.boolean(), { maxLength: 5 }))
      .map(([w, upper]) => [...w].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));
    agree(settingOf('requireKmsForS3').env, fc.tuple(from(' ', 2), word, from(' x', 2)).map((p) => p.join('')));
  });

  it('region lists', () => {
    const part = fc.constantFrom('eu', 'west', 'us', 'gov', '1', '12', '-', ',', ' ', 'E', 'u');
    agree(settingOf('regions').env, fc.array(part, { maxLength: 12 }).map((p) => p.join('')));
  });

  it('port and range lists (a range whose end is below its start is the parser’s)', () => {
    agree(settingOf('allowedPublicPorts').env, from(`${DIGITS}-, +.`, 16), (_raw, error) => /range end is below its start/.test(error));
  });

  it('application port lists', () => {
    // Names of letters that cannot make a number literal (Number('0b1') is 1: a spelling the template refuses).
    agree(settingOf('applicationPorts').env, from(`${DIGITS}:, az`, 16));
  });

  it('CIDR lists: every CIDR the parser accepts matches', () => {
    const re = patternOf(settingOf('trustedCidrs').env);
    const cidr = fc.oneof(
      fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([a, n]) => `${a}/${n}`),
      fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })).map(([a, n]) => `${a}/${n}`),
    );
    fc.assert(
      fc.property(fc.array(cidr, { maxLength: 4 }), fc.constantFrom(',', ', ', ' ,'), (items, sep) => {
        const raw = items.join(sep);
        if (accepts(settingOf('trustedCidrs').env, raw)) expect(re.test(raw), raw).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('check id lists: exactly the registry’s ids', () => {
    const id = fc.oneof(fc.constantFrom(...CHECK_IDS), fc.constantFrom('network/ssh', 'x', ''));
    agree(settingOf('disabledChecks').env, fc.array(fc.tuple(id, fc.constantFrom(',', ', ', ' , ')), { maxLength: 4 }).map((p) => p.flat().join('')));
  });

  it('a free-text list has no pattern unless its items are a closed set', () => {
    const shape: ValueShape = { kind: 'list', item: { kind: 'text' } };
    expect(shapeHasPattern(shape)).toBe(false);
    expect(shapeHasPattern(shape, { items: ['a'] })).toBe(true);
  });
});
