/**
 * The state around one run: read every region's object at the start, write the next one at the
 * end. Losing or refusing the state costs only speed (everything is described), so neither step
 * can fail the run: problems are logged and the run goes on.
 */
import type { Snapshot } from '../snapshot.js';
import type { RegionState } from './schema.js';
import type { LoadedState, StateStore } from './store.js';
import { nextState } from './view.js';

export type StateLog = (level: 'info' | 'warn', message: string, data?: Record<string, unknown>) => void;

export interface RunState {
  store: StateStore;
  accountId: string;
  loaded: Map<string, LoadedState>;
}

export async function loadRunState(store: StateStore, accountId: string, regions: readonly string[], log: StateLog): Promise<RunState> {
  const loaded = new Map<string, LoadedState>();
  await Promise.all(
    [...new Set(regions)].map(async (region) => {
      const got = await store.load(accountId, region);
      loaded.set(region, got);
      if (got.state) log('info', 'State loaded', { location: store.location, region, clusters: Object.keys(got.state.clusters).length });
      // "No state yet" is the first run; anything else is worth a warning (it costs a full describe).
      else log(got.note === 'no state yet' ? 'info' : 'warn', 'State not used: every cluster is described', { location: store.location, region, reason: got.note });
    }),
  );
  return { store, accountId, loaded };
}

/** The valid states per region, for the collectors. */
export function statesOf(run: RunState | undefined): Map<string, RegionState> {
  const out = new Map<string, RegionState>();
  for (const [region, l] of run?.loaded ?? []) if (l.state) out.set(region, l.state);
  return out;
}

/** Writes every collected region's next state. `audited`: findings were published this run. */
export async function saveRunState(run: RunState, snapshot: Snapshot, input: { audited: boolean; now: string }, log: StateLog): Promise<void> {
  await Promise.all(
    snapshot.regions.map(async (region) => {
      const previous = run.loaded.get(region.region) ?? {};
      const next = nextState(previous.state, region, { accountId: run.accountId, now: input.now, audited: input.audited, restricted: snapshot.scope.clusterIds !== undefined });
      const out = await run.store.save(next, previous);
      if (out.saved) log('info', 'State saved', { location: run.store.location, region: region.region, clusters: Object.keys(next.clusters).length });
      else log('warn', 'State not saved', { location: run.store.location, region: region.region, reason: out.note });
    }),
  );
}
