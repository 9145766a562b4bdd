/**
 * STUB (Security Hub helper): results → ASFF findings (SECURITY-HUB.md rules 1–12).
 */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { Result } from '../../checks/contract.js';
import type { Snapshot } from '../snapshot.js';

/** The findings `--publish` would import for these results (current FAILs and evaluation gaps). */
export function buildFindings(_results: readonly Result[], _snapshot: Snapshot, _now: Date): AwsSecurityFinding[] {
  throw new Error('not implemented');
}
