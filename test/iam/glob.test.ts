import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globAccepts, globMatch, globStart, globStep, hasWildcard } from '../../lib/iam/glob.js';

const regex = (pattern: string): RegExp =>
  new RegExp(`^${[...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`, 's');

describe('globMatch', () => {
  it.each([
    ['*', '', true],
    ['*', 's3:getobject', true],
    ['s3:get*', 's3:getobject', true],
    ['s3:get*', 's3:get', true],
    ['s3:get*', 's3:putobject', false],
    ['s3:?etobject', 's3:getobject', true],
    ['s3:?etobject', 's3:etobject', false],
    ['*object', 's3:getobject', true],
    ['i*', 'iam:passrole', true],
    ['iam:*role*', 'iam:passrole', true],
    ['a**b', 'ab', true],
    ['a*b*c', 'a-c-b', false],
    ['arn:aws:s3:::b/*', 'arn:aws:s3:::b/k/x', true],
    ['arn:aws:s3:::b/*', 'arn:aws:s3:::bb/k', false],
  ])('%s ~ %s → %s', (pattern, text, expected) => {
    expect(globMatch(pattern, text)).toBe(expected);
  });

  it('is case-sensitive (callers lowercase actions themselves)', () => {
    expect(globMatch('s3:getobject', 's3:GetObject')).toBe(false);
  });

  it('agrees with a regular-expression reference', () => {
    const alphabet = fc.constantFrom('a', 'b', ':', '*', '?');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 8 }).map((a) => a.join('')), fc.array(fc.constantFrom('a', 'b', ':', '*', '?', 'c'), { maxLength: 10 }).map((a) => a.join('')), (pattern, text) => {
        expect(globMatch(pattern, text)).toBe(regex(pattern).test(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with the position-set automaton the witness search runs on', () => {
    const viaStates = (pattern: string, text: string): boolean => {
      let state = globStart(pattern);
      for (const c of text) state = globStep(pattern, state, c);
      return globAccepts(pattern, state);
    };
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', '*', '?', '/'), { maxLength: 12 }).map((a) => a.join('')), fc.array(fc.constantFrom('a', 'b', '*', '?', '/'), { maxLength: 14 }).map((a) => a.join('')), (pattern, text) => {
        expect(globMatch(pattern, text)).toBe(viaStates(pattern, text));
      }),
      { numRuns: 3000 },
    );
  });

  it('knows a wildcard when it sees one', () => {
    expect(hasWildcard('s3:Get*')).toBe(true);
    expect(hasWildcard('s3:?etObject')).toBe(true);
    expect(hasWildcard('s3:GetObject')).toBe(false);
  });
});
