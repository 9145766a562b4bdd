/**
 * How far the CLI process lets its heap grow between full collections. V8 collects its old
 * generation once it has grown to a multiple of what survived the last full collection, and on a
 * machine with memory to spare it picks a multiple of up to four: a scan of 5,000 clusters that
 * keeps about 110 MB live reached about 500 MB of RSS. The CLI runs beside other work (a laptop,
 * a CI runner): it asks V8 to collect once the old generation has grown by half instead, which
 * holds the same scan to about 300 MB for about a second more of CPU spent collecting
 * (docs/benchmark.md, "IAM at scale").
 *
 * A growth rate, not a limit: the heap still grows as far as an account's data needs, so no
 * account runs out of memory because of it. Set by the process entry (bin/emr-audit.js), never by
 * `main`, so a program that calls `main` keeps its own policy. The Lambda keeps V8's, sized by its
 * memory setting.
 */
import { setFlagsFromString } from 'node:v8';

/** The old generation may grow by this much (percent) over what the last full collection kept. */
export const CLI_HEAP_GROWING_PERCENT = 50;

export function useCliHeapPolicy(setFlags: (flags: string) => void = setFlagsFromString): void {
  setFlags(`--heap-growing-percent=${CLI_HEAP_GROWING_PERCENT}`);
}
