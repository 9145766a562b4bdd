/**
 * What one audit run is asked to do, whatever triggered it (schedule, on-demand event, EMR state
 * change, CLI). Built from a validated event or from CLI flags.
 */
import * as z from 'zod';

export const AuditTrigger = z.enum(['schedule', 'on-demand', 'cluster-state-change', 'cli', 'change-event']);
export type AuditTrigger = z.infer<typeof AuditTrigger>;

export const AuditRequest = z.object({
  trigger: AuditTrigger,
  /** Regions to audit; default the settings' regions (or the configured region). */
  regions: z.array(z.string()).optional(),
  /**
   * Restrict the run to these clusters (their findings only are synchronised). Only a change audit
   * of an account-level setting sends an empty list: no cluster at all.
   */
  clusterIds: z.array(z.string()).optional(),
  /** Restrict the run to these checks. */
  checks: z.array(z.string()).optional(),
  /** Evaluate and report, but never write to Security Hub. */
  dryRun: z.boolean().default(false),
  /**
   * Clusters known to have terminated (EMR state-change event): their findings are archived as
   * NOT_AVAILABLE without describing them.
   */
  terminatedClusters: z.array(z.object({ clusterId: z.string(), region: z.string() })).default([]),
  /**
   * Set on a run that continues another that met its time budget (the on-demand event it put on
   * the bus): which run, and how many continuations deep.
   */
  continuation: z.object({ of: z.string(), generation: z.number().int().min(1) }).optional(),
});
export type AuditRequest = z.infer<typeof AuditRequest>;
