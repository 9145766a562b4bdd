/**
 * Security Hub imports per run (SECURITY-HUB.md rule 14), from the product's own planner: the cold
 * run's findings are taken as Security Hub's store, then the same results are planned again at the
 * default schedule (every 6 h) for two days with nothing changed, each run's imports written back to
 * the store. What a warm run with no change imports is then measured, not estimated: nothing the
 * first day, each finding's daily refresh after it, spread over the day's runs.
 */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { Check, Result } from '../../checks/contract.js';
import type { Settings } from '../../lib/settings.js';
import type { Snapshot } from '../../lib/snapshot.js';

export interface ImportRun {
  /** Hours after the cold run. */
  hours: number;
  imports: number;
  /** Current FAILs of the run. */
  fails: number;
}

export interface ImportFigures {
  /** The cold run: every finding is new. */
  cold: { imports: number; fails: number };
  /** Warm runs with no change, every 6 h. */
  warm: ImportRun[];
  /** The largest share of the current FAILs one warm run imported. */
  maxWarmShare: number;
}

const SCHEDULE_HOURS = 6;
const WARM_RUNS = 8;

export async function importsPerRun(snapshot: Snapshot, results: readonly Result[], checks: readonly Check[], settings: Settings): Promise<ImportFigures> {
  const { findingContext } = await import('../../lib/report/asff.js');
  const { desiredFindings, planRegion } = await import('../../lib/report/sync-plan.js');
  const coldAt = Date.parse(snapshot.collectedAt);
  const store = new Map<string, AwsSecurityFinding>();
  const plan = (hours: number): { imports: number; fails: number } => {
    const ctx = findingContext(snapshot, new Date(coldAt + hours * 3_600_000), checks);
    let imports = 0;
    let fails = 0;
    for (const region of snapshot.regions) {
      const run = { region: region.region, snapshot: region, results: results.filter((r) => r.region === region.region), request: { trigger: 'schedule' as const, dryRun: false, terminatedClusters: [] }, settings, checks };
      const desired = desiredFindings(run, ctx);
      fails += [...desired.values()].filter((d) => d.kind === 'fail').length;
      const active = [...store.values()].filter((f) => f.RecordState === 'ACTIVE' && f.Id?.startsWith(`emr-audit/${region.region}/`));
      for (const p of planRegion({ run, ctx, desired, active }).imports) {
        imports += 1;
        if (p.finding.Id) store.set(p.finding.Id, p.finding);
      }
    }
    return { imports, fails };
  };
  const cold = plan(0);
  const warm: ImportRun[] = [];
  for (let k = 1; k <= WARM_RUNS; k += 1) warm.push({ hours: k * SCHEDULE_HOURS, ...plan(k * SCHEDULE_HOURS) });
  const maxWarmShare = Math.max(0, ...warm.map((w) => (w.fails > 0 ? w.imports / w.fails : 0)));
  return { cold, warm, maxWarmShare };
}

export function renderImports(f: ImportFigures): string {
  const runs = f.warm.map((w) => `+${w.hours} h ${w.imports}`).join(', ');
  const ok = f.maxWarmShare <= 0.25 + 1e-9 ? 'ok' : 'MISSED';
  return `security hub   imports per run: cold ${f.cold.imports} (${f.cold.fails} current FAILs); warm runs with no change every 6 h: ${runs}; at most ${(f.maxWarmShare * 100).toFixed(1)} % of the current FAILs in one warm run (target ≤ 25 %: ${ok})`;
}
