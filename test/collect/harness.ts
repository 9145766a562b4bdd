/** Shared set-up of the collector tests: a fake account, its mocks, and one call to collect. */
import { systemClock } from '../../lib/clock.js';
import { collectSnapshot, type CollectOptions } from '../../lib/collect/index.js';
import { defaultSettings } from '../../lib/settings.js';
import { Snapshot, type RegionSnapshot } from '../../lib/snapshot.js';
import { FakeAccount, REGION, type FakeCluster } from '../helpers/fake-account.js';

export const NOW = new Date('2026-11-23T12:00:00Z');

export type Overrides = Partial<Omit<CollectOptions, 'clients'>> & { clients?: CollectOptions['clients'] };

/**
 * Collects from the fake account (its `clients()` unless given). The snapshot's time is the fixed
 * NOW; deadlines in these tests are relative to the system clock (`Date.now() + 100`), which is
 * the run's clock here, so nothing depends on today's date.
 */
export async function collect(fake: FakeAccount, overrides: Overrides = {}): Promise<Snapshot> {
  const snapshot = await collectSnapshot({
    regions: [REGION],
    settings: defaultSettings(),
    clients: fake.clients(),
    clock: systemClock,
    now: NOW,
    ...overrides,
  });
  // Whatever the collectors produce must satisfy the contract, and survive a JSON round trip.
  const reparsed = Snapshot.parse(JSON.parse(JSON.stringify(snapshot)));
  if (JSON.stringify(reparsed) !== JSON.stringify(Snapshot.parse(snapshot))) throw new Error('snapshot does not survive JSON');
  return snapshot;
}

export function regionOf(snapshot: Snapshot, region = REGION): RegionSnapshot {
  const r = snapshot.regions.find((x) => x.region === region);
  if (!r) throw new Error(`no region ${region} in the snapshot`);
  return r;
}

/** A cluster using the resources `FakeAccount.withDefaults()` creates (MASTER, CORE and TASK nodes). */
export function defaultCluster(id: string, overrides: Partial<FakeCluster> = {}): FakeCluster {
  return FakeAccount.standardCluster(id, { instances: FakeAccount.nodes(id, 1, 1), ...overrides });
}

/**
 * Like `defaultCluster`, but its EC2 instances lack EMR's system tags (an emulator, a cluster just
 * starting): the collectors fall back to ListInstances and ListInstanceGroups/ListInstanceFleets.
 */
export function untaggedCluster(id: string, overrides: Partial<FakeCluster> = {}): FakeCluster {
  const c = defaultCluster(id, overrides);
  return { ...c, instances: (c.instances ?? []).map((i) => ({ ...i, systemTags: false })) };
}
