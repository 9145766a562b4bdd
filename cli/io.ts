/**
 * What the CLI touches of the outside world, passed in so tests run `main` in-process with fakes:
 * streams, environment, terminal facts and (optionally) AWS clients.
 */
import type { AwsClients } from '../lib/aws/clients.js';
import { systemClock, type Clock } from '../lib/clock.js';

export interface TextSink {
  /** `false` (a stream's backpressure): wait for `drain` before writing more, if the sink has `once`. */
  write(chunk: string): unknown;
  once?(event: 'drain', listener: () => void): unknown;
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
  /** The run's clock (default: the system's); tests inject a fixed origin. */
  clock?: Clock;
  /** Terminal width for the table; default 100. */
  columns?: number;
  /**
   * The region the SDK would use from the shared config files (`AWS_PROFILE`'s `region`).
   * Default: ask the SDK. Tests replace it to stay independent of the machine's ~/.aws.
   */
  configuredRegion?: () => Promise<string | undefined>;
}

/** The one clock of a CLI run. */
export function clockOf(io: CliIo): Clock {
  return io.clock ?? systemClock;
}

/** The audit could not run at all (no credentials, every region failed): exit code 3. */
export class AuditCouldNotRunError extends Error {
  override name = 'AuditCouldNotRunError';
}
