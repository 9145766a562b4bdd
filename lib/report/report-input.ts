/**
 * What every report format (table, json, asff, sarif, ocsf, csv, html) is rendered from: one
 * run's results with the snapshot they were evaluated on and the check metadata. A renderer is a
 * pure function of this input, so the formats of one run always agree with each other.
 */
import type { CheckMeta, Result } from '../../checks/contract.js';
import type { PublishSummary } from '../audit.js';
import type { Snapshot } from '../snapshot.js';

export interface ReportInput {
  results: readonly Result[];
  snapshot: Snapshot;
  /** Metadata of the registered checks (titles, remediation, compliance mapping). */
  checks: readonly CheckMeta[];
  /** The run's start: the report's timestamp (never read the clock in a renderer). */
  startedAt: Date;
  /** emr-audit's version, for the tool fields of SARIF/OCSF and the JSON output. */
  toolVersion: string;
  /** The run's cluster restriction, for the clusters count. */
  clusterIds?: readonly string[];
  /** Present when the run synchronised Security Hub. */
  published?: PublishSummary;
}
