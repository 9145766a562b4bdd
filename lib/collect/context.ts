/** What every regional collector works with: the region's clients and the run's call runner. */
import type { RegionClients } from '../aws/clients.js';
import type { CallRunner } from './calls.js';

export interface RegionContext {
  region: string;
  clients: RegionClients;
  calls: CallRunner;
}

/** One regional call through the runner (limited per API and region, deadline-aware). */
export function regionCall<T>(ctx: RegionContext, api: string, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
  return ctx.calls.call(ctx.region, api, send);
}

/** Optional strings from AWS: an empty string carries no information. */
export function str(value: string | undefined | null): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : value;
}

export function iso(value: Date | undefined): string | undefined {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : undefined;
}
