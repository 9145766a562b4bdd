/**
 * The order a run works through a region's clusters. At default quotas one 900 s Lambda run can
 * finish only a few hundred clusters (ListInstances refills at 0.5 per second); a run that meets
 * its deadline leaves the rest as TimeBudgetExceeded. Were every run to start at the same cluster,
 * the clusters at the end of the list would never be audited. So each run starts at a different
 * place in the list of clusters sorted by id (then wraps around):
 *
 *     offset = frac(hours since the epoch × φ⁻¹) × cluster count
 *
 * φ⁻¹ (the golden ratio's conjugate, 0.618…) as the stride spreads consecutive starts as evenly
 * as possible (three-gap theorem: any k successive offsets cut the circle into gaps of at most
 * about 2.6/k of it), also when runs are several hours apart (the default schedule is 6 h). A run
 * that covers a fraction f of the clusters therefore reaches every cluster within a few multiples
 * of 1/f runs, and a fleet that fits in one run is unaffected. The offset depends only on the
 * run's start hour and the clusters, so it is deterministic (tests pass a fixed time) and retries
 * of one run within the hour resume from the same place.
 */

const STRIDE = (Math.sqrt(5) - 1) / 2;
const HOUR_MS = 3_600_000;

/** Where in the sorted list a run started at `startedAt` (epoch ms) begins. */
export function rotationOffset(count: number, startedAt: number): number {
  if (count <= 1 || !Number.isFinite(startedAt)) return 0;
  const hours = Math.floor(startedAt / HOUR_MS);
  const fraction = (((hours * STRIDE) % 1) + 1) % 1;
  return Math.min(count - 1, Math.floor(fraction * count));
}

/** The items sorted by id (code-unit order, locale-independent), starting at the run's offset. */
export function rotate<T>(items: readonly T[], idOf: (item: T) => string, startedAt: number): T[] {
  const sorted = [...items].sort((a, b) => {
    const x = idOf(a);
    const y = idOf(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const offset = rotationOffset(sorted.length, startedAt);
  return [...sorted.slice(offset), ...sorted.slice(0, offset)];
}
