/**
 * Durations for people: "45 min", "5 hours", "64 days" — never "92154 min". Pure, so checks and
 * renderers can share it. Rounds down: an instance 47 hours old has not been up for two days.
 */
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/**
 * Minutes below 90 (a grace period of 60 reads "60 min"), hours below 48, days beyond. Negative or
 * non-finite input (a clock skew, a missing time) reads "0 min" rather than a nonsense number.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '0 min';
  if (ms < 90 * MINUTE_MS) return `${Math.floor(ms / MINUTE_MS)} min`;
  if (ms < 48 * HOUR_MS) return plural(Math.floor(ms / HOUR_MS), 'hour');
  return plural(Math.floor(ms / DAY_MS), 'day');
}
