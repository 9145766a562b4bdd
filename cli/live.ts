/**
 * Live AWS for the CLI: clients, collection with progress on a terminal, and the Security Hub
 * publisher. The SDK-heavy modules load only here, so `emr-audit checks` or `scan --demo` start
 * fast.
 */
import type { Check } from '../checks/contract.js';
import type { AuditDeps } from '../lib/audit.js';
import type { AwsClients } from '../lib/aws/clients.js';
import type { CollectProgress } from '../lib/collect/index.js';
import { oneLine } from '../lib/report/render-style.js';
import type { Settings } from '../lib/settings.js';
import type { Snapshot } from '../lib/snapshot.js';
import { loadRunState, saveRunState, statesOf, type RunState, type StateLog } from '../lib/state/run.js';
import { FileStateStore, parseS3Url, S3StateStore } from '../lib/state/store.js';
import { AuditCouldNotRunError, clockOf, type CliIo } from './io.js';

export interface LiveOptions {
  io: CliIo;
  settings: Settings;
  regions: string[];
  clusterIds: string[];
  checks: readonly Check[];
  /** Shared-config profile for the SDK clients (--profile). */
  profile?: string;
  /** No progress line (--quiet). */
  quiet?: boolean;
  /** `--state DIR` or `--state s3://bucket/prefix`: the state store (off when absent). */
  state?: string;
}

export interface Live {
  loadSnapshot: AuditDeps['loadSnapshot'];
  publisher(): Promise<NonNullable<AuditDeps['publish']>>;
}

export async function collectLive(options: LiveOptions): Promise<Live> {
  const { io, settings, regions } = options;
  const clients = io.clients ?? (await defaultClients(settings, regions, options.profile));
  const collect = await import('../lib/collect/index.js');
  return {
    loadSnapshot: async (request) => {
      const progress: ReturnType<typeof progressLine> = options.quiet ? { done: () => undefined } : progressLine(io);
      // The account lookup is the first call, and the one a dead endpoint stalls first: show it.
      progress.onProgress?.({ region: regions[0] ?? 'account', phase: 'account', detail: 'sts:GetCallerIdentity' });
      try {
        const state = options.state ? await openState(options.state, clients, collect.resolveAccountId, regions, io) : undefined;
        const snapshot = await collect.collectSnapshot({
          regions,
          ...(options.clusterIds.length > 0 ? { clusterIds: options.clusterIds } : {}),
          checks: options.checks,
          settings,
          clients,
          clock: clockOf(io),
          run: { trigger: request.trigger, continuation: request.continuation !== undefined },
          ...(progress.onProgress ? { onProgress: progress.onProgress } : {}),
          ...(state ? { accountId: state.accountId, states: statesOf(state) } : {}),
        });
        // The CLI never counts as "audited" for the Lambda's event debounce (it may not publish).
        if (state) await saveRunState(state, snapshot, { audited: false, now: snapshot.collectedAt }, stateLog(io));
        return snapshot;
      } catch (e) {
        if (e instanceof collect.AuditUnavailableError) throw new AuditCouldNotRunError(`the audit could not run: ${e.message}`);
        throw e;
      } finally {
        progress.done();
      }
    },
    publisher: async () => {
      const { createPublisher } = await import('../lib/report/sync.js');
      return createPublisher({
        clients,
        settings,
        clock: clockOf(io),
        log: (level, message) => {
          if (level !== 'info') io.stderr.write(`emr-audit: ${level}: ${oneLine(message)}\n`);
        },
      });
    },
  };
}

/** Collect a snapshot for `emr-audit collect`. */
export async function collectSnapshotLive(options: LiveOptions): Promise<Snapshot> {
  const live = await collectLive(options);
  return live.loadSnapshot({ trigger: 'cli', dryRun: true, terminatedClusters: [] });
}

/** Problems with the state cost only speed: one line on stderr, never an exit code. */
function stateLog(io: CliIo): StateLog {
  return (level, message, data) => {
    const reason = data?.['reason'];
    if (level === 'warn') io.stderr.write(`emr-audit: warning: ${message}${typeof reason === 'string' ? ` (${reason})` : ''}\n`);
  };
}

async function openState(where: string, clients: AwsClients, accountOf: (c: AwsClients) => Promise<string>, regions: readonly string[], io: CliIo): Promise<RunState> {
  const s3 = parseS3Url(where);
  const store = s3 ? new S3StateStore(clients.s3, s3.bucket, s3.prefix) : new FileStateStore(where);
  return loadRunState(store, await accountOf(clients), regions, stateLog(io));
}

export async function defaultClients(settings: Settings, regions: readonly string[], profile?: string): Promise<AwsClients> {
  const { createAwsClients } = await import('../lib/aws/clients.js');
  return createAwsClients({
    maxAttempts: settings.maxAttempts,
    connectTimeoutMs: settings.connectTimeoutMs,
    requestTimeoutMs: settings.requestTimeoutMs,
    ...(regions[0] ? { homeRegion: regions[0] } : {}),
    ...(profile ? { profile } : {}),
  });
}

/** One self-overwriting status line on stderr, only on a terminal (pipes and logs stay clean). */
function progressLine(io: CliIo): { onProgress?: (p: CollectProgress) => void; done(): void } {
  if (!io.stderrIsTTY) return { done: () => undefined };
  const width = Math.max(40, (io.columns ?? 100) - 1);
  let shown = false;
  return {
    onProgress: (p) => {
      const text = `collecting ${p.region} · ${p.phase}${p.detail ? ` · ${p.detail}` : ''}`;
      io.stderr.write(`\r\u001b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
      shown = true;
    },
    done: () => {
      if (shown) io.stderr.write('\r\u001b[2K');
    },
  };
}
