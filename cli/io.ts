/**
 * What the CLI touches of the outside world, passed in so tests run `main` in-process with fakes:
 * streams, environment, terminal facts and (optionally) AWS clients.
 */
import type { AwsClients } from '../lib/aws/clients.js';

export interface TextSink {
  write(chunk: string): unknown;
}

export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  /** Environment for settings (EMR_AUDIT_*), region and colour decisions. */
  env: Record<string, string | undefined>;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** AWS clients to use instead of the SDK defaults (tests, emulators). */
  clients?: AwsClients;
  /** Terminal width for the table; default 100. */
  columns?: number;
  /**
   * The region the SDK would use from the shared config files (`AWS_PROFILE`'s `region`).
   * Default: ask the SDK. Tests replace it to stay independent of the machine's ~/.aws.
   */
  configuredRegion?: () => Promise<string | undefined>;
}

/** The audit could not run at all (no credentials, every region failed): exit code 3. */
export class AuditCouldNotRunError extends Error {
  override name = 'AuditCouldNotRunError';
}
