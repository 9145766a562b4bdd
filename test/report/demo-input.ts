/** The demo account's evaluation as a ReportInput, as `emr-audit scan --demo` renders it. */
import { readFileSync } from 'node:fs';
import { CHECKS } from '../../checks/index.js';
import { evaluateSnapshot } from '../../lib/evaluate.js';
import type { ReportInput } from '../../lib/report/report-input.js';
import { defaultSettings } from '../../lib/settings.js';
import { Snapshot } from '../../lib/snapshot.js';

const raw: unknown = JSON.parse(readFileSync(new URL('../../examples/demo-account.json', import.meta.url), 'utf8'));
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export function demoInput(): ReportInput {
  const snapshot = Snapshot.parse(raw);
  // The audit's "now" offline is the snapshot's collection time: no real clock in a fixture.
  const startedAt = new Date(snapshot.collectedAt);
  const results = evaluateSnapshot(snapshot, { checks: CHECKS, settings: defaultSettings(), now: startedAt });
  return { results, snapshot, checks: CHECKS, startedAt, toolVersion: pkg.version };
}
