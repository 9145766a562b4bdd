/**
 * The engine evaluates a region cluster by cluster, the clusters of one instance profile together
 * (so what is worked out for a role is used while fresh and then let go), but reports results in
 * the order they always had: check by check, each check's clusters in snapshot order.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Check, ClusterCheck } from '../../checks/contract.js';
import { CHECKS } from '../../checks/index.js';
import { evaluateSnapshot } from '../../lib/evaluate.js';
import { defaultSettings } from '../../lib/settings.js';
import { Snapshot } from '../../lib/snapshot.js';

const demo = Snapshot.parse(JSON.parse(readFileSync(new URL('../../examples/demo-account.json', import.meta.url), 'utf8')));

describe('evaluateSnapshot order', () => {
  it('reports check by check, clusters in snapshot order, although clusters of one profile are evaluated together', () => {
    const profiles = demo.regions.flatMap((r) => r.clusters.map((c) => c.ec2?.instanceProfile ?? ''));
    // The demo interleaves profiles, so evaluation order differs from snapshot order.
    expect([...profiles].sort()).not.toEqual(profiles);
    const results = evaluateSnapshot(demo, { checks: CHECKS, settings: defaultSettings() });
    const expected: string[] = [];
    for (const region of demo.regions) {
      for (const check of CHECKS) {
        if (check.scope === 'region') expected.push(`${region.region} ${check.id} -`);
        else for (const cluster of region.clusters) expected.push(`${region.region} ${check.id} ${cluster.id}`);
      }
    }
    const seen = [...new Set(results.map((r) => `${r.region} ${r.checkId} ${r.clusterId ?? '-'}`))];
    expect(seen).toEqual(expected.filter((k) => seen.includes(k)));
    expect(seen.length).toBeGreaterThan(100);
  });

  it('evaluates every check of a cluster before the next cluster, one profile after another', () => {
    const calls: string[] = [];
    const spy = (id: string): ClusterCheck => ({
      ...(CHECKS.find((c) => c.scope === 'cluster') as ClusterCheck),
      id,
      evaluate: (cluster) => {
        calls.push(`${cluster.ec2?.instanceProfile ?? ''} ${cluster.id} ${id}`);
        return [{ status: 'PASS', message: 'ok' }];
      },
    });
    const checks: Check[] = [spy('test/a'), spy('test/b')];
    const region = demo.regions[0]!;
    const results = evaluateSnapshot({ ...demo, regions: [region] }, { checks, settings: defaultSettings() });
    const described = region.clusters.filter((c) => c.described);
    expect(calls).toHaveLength(described.length * 2);
    // Pairs: a then b for the same cluster.
    for (let i = 0; i < calls.length; i += 2) expect(calls[i]!.replace(' test/a', '')).toBe(calls[i + 1]!.replace(' test/b', ''));
    const evaluatedProfiles = calls.filter((_, i) => i % 2 === 0).map((c) => c.split(' ')[0]!);
    expect(evaluatedProfiles).toEqual([...evaluatedProfiles].sort());
    // Reported in snapshot order all the same.
    expect(results.filter((r) => r.checkId === 'test/a').map((r) => r.clusterId)).toEqual(region.clusters.map((c) => c.id));
  });
});
