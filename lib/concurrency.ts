/**
 * Bounded concurrency without a dependency: a limiter runs at most N tasks at once and queues the
 * rest in arrival order; a keyed limiter keeps one such queue per key (one per AWS API and region,
 * because that is the unit AWS throttles by).
 */

export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

export function createLimiter(concurrency: number): Limiter {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer, got ${concurrency}`);
  let running = 0;
  const waiting: Array<() => void> = [];
  const release = (): void => {
    running -= 1;
    const next = waiting.shift();
    if (next) {
      running += 1;
      next();
    }
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running < concurrency) running += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      release();
    }
  };
}

/** One limiter per key, created on first use. */
export class KeyedLimiter {
  private readonly limiters = new Map<string, Limiter>();

  constructor(private readonly concurrencyFor: (key: string) => number) {}

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    let limiter = this.limiters.get(key);
    if (!limiter) {
      limiter = createLimiter(this.concurrencyFor(key));
      this.limiters.set(key, limiter);
    }
    return limiter(task);
  }
}
