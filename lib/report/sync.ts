/**
 * STUB (Security Hub helper): synchronise Security Hub with a run's results (SECURITY-HUB.md 13–18).
 */
import type { AuditDeps } from '../audit.js';
import type { AwsClients } from '../aws/clients.js';
import type { Settings } from '../settings.js';

export interface PublisherOptions {
  clients: AwsClients;
  settings: Settings;
  /** Structured logger (Powertools in the Lambda, stderr in the CLI). */
  log?: (level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;
}

export function createPublisher(_options: PublisherOptions): NonNullable<AuditDeps['publish']> {
  throw new Error('not implemented');
}
