import { describe, expect, it } from 'vitest';
import { ACTION_UNIVERSE, ANY_STRING_UNIVERSE, searchWitness } from '../../lib/iam/witness.js';
import { globMatch } from '../../lib/iam/glob.js';
import { anyOf, not } from '../../lib/iam/tri.js';

describe('searchWitness', () => {
  it('finds a shortest action name within a pattern that escapes another', () => {
    // iam:* minus iam:get*: the shortest escape has a one-letter action name other than g.
    const r = searchWitness(['iam:*', 'iam:get*'], ACTION_UNIVERSE, (m) => m(0) === false ? false : m(1) === undefined ? undefined : !m(1), { required: 0 });
    expect(r.kind).toBe('found');
    if (r.kind !== 'found') return;
    expect(r.witness).toMatch(/^iam:[a-z0-9]$/);
    expect(globMatch('iam:get*', r.witness)).toBe(false);
  });

  it('proves coverage by finding nothing: iam:Get* together with everything but iam:Get* covers iam:*', () => {
    // Allow iam:get*, and Allow NotAction iam:get* (the pattern's negation): is some IAM action left out?
    const r = searchWitness(['iam:*', 'iam:get*'], ACTION_UNIVERSE, (m) => not(anyOf([m(1), not(m(1))], (v) => v)), { required: 0 });
    expect(r.kind).toBe('none');
  });

  it('considers only well-formed action names: service:Action', () => {
    // `iam:?*` covers every IAM action, because an action name is never empty.
    const r = searchWitness(['iam:*', 'iam:?*'], ACTION_UNIVERSE, (m) => (m(1) === undefined ? undefined : !m(1)), { required: 0 });
    expect(r.kind).toBe('none');
    const escape = searchWitness(['*', 'a*'], ACTION_UNIVERSE, (m) => (m(1) === undefined ? undefined : !m(1)), { required: 0 });
    expect(escape.kind === 'found' && /^[b-z0-9-][a-z0-9-]*:[a-z0-9]+$/.test(escape.witness)).toBe(true);
  });

  it('uses a character no pattern names when that is what escapes', () => {
    const patterns = ['s3:*', ...'abcdefghijklmnopqrstuvwxyz'.split('').map((c) => `s3:${c}*`)];
    const r = searchWitness(patterns, ACTION_UNIVERSE, (m) => {
      const any = patterns.slice(1).map((_, i) => m(i + 1));
      return any.some((v) => v === true) ? false : any.every((v) => v === false) ? true : undefined;
    }, { required: 0 });
    expect(r.kind === 'found' && /^s3:[0-9]$/.test(r.witness)).toBe(true);
  });

  it('searches any string for resources, case-sensitively', () => {
    const r = searchWitness(['arn:aws:s3:::b/*', 'arn:aws:s3:::b/K*'], ANY_STRING_UNIVERSE, (m) => (m(0) === false ? false : m(0) === true && m(1) === false ? true : undefined));
    expect(r.kind).toBe('found');
    if (r.kind === 'found') {
      expect(globMatch('arn:aws:s3:::b/*', r.witness)).toBe(true);
      expect(globMatch('arn:aws:s3:::b/K*', r.witness)).toBe(false);
    }
  });

  it('stops at its bound and says so', () => {
    const patterns = ['*', ...Array.from({ length: 30 }, (_, k) => `*${'abcdefghij'[k % 10]}*${'klmnopqrst'[(k * 3) % 10]}*${'uvwxyz0123'[(k * 7) % 10]}*`)];
    const r = searchWitness(patterns, ACTION_UNIVERSE, (m) => (patterns.slice(1).every((_, i) => m(i + 1) === true) ? true : patterns.slice(1).some((_, i) => m(i + 1) === false) ? false : undefined), {
      required: 0,
      maxWork: 5_000,
    });
    expect(r.kind).toBe('limit');
  });
});
