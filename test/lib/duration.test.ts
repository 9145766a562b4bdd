import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../lib/duration.js';

const MIN = 60_000;

describe('formatDuration', () => {
  it.each([
    [0, '0 min'],
    [59_999, '0 min'],
    [15 * MIN, '15 min'],
    [60 * MIN, '60 min'],
    [89 * MIN, '89 min'],
    [90 * MIN, '1 hour'],
    [119 * MIN, '1 hour'],
    [5 * 60 * MIN, '5 hours'],
    [47 * 60 * MIN + 59 * MIN, '47 hours'],
    [48 * 60 * MIN, '2 days'],
    [92_154 * MIN, '63 days'],
    [64 * 24 * 60 * MIN, '64 days'],
    [24 * 60 * MIN * 1, '24 hours'],
  ])('%d ms reads "%s"', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('reads nonsense input as 0 min instead of printing it', () => {
    expect(formatDuration(-5 * MIN)).toBe('0 min');
    expect(formatDuration(Number.NaN)).toBe('0 min');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('0 min');
  });
});
