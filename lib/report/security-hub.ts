/**
 * The Security Hub calls of the synchroniser: read our findings (paged to the end), import in
 * batches within the API's limits, and check both failure channels of BatchImportFindings — a
 * thrown error and FailedFindings in a 200 response (SECURITY-HUB.md rules 13, 14, 17, 18).
 */
import {
  BatchImportFindingsCommand,
  GetFindingsCommand,
  type AwsSecurityFinding,
  type AwsSecurityFindingFilters,
  type BatchImportFindingsCommandOutput,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import type { Pacer } from '../collect/pacing.js';
import type { ApiQuota } from '../collect/quotas.js';
import { GENERATOR_PREFIX, generatorId } from './asff.js';

export type PublishLog = (level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;

/** One region's Security Hub, seen from the audited account. */
export interface HubTarget {
  client: SecurityHubClient;
  region: string;
  accountId: string;
  productArn: string;
  /** Paces every call to Security Hub's quotas (rule 17), per account and region. */
  pacer?: Pacer;
  /** Aborts at the synchronisation's deadline: calls waiting for a token or an answer give up. */
  signal?: AbortSignal;
}

export const GET_FINDINGS = 'securityhub:GetFindings';
export const BATCH_IMPORT = 'securityhub:BatchImportFindings';

/**
 * Security Hub's documented rate quotas (SECURITY-HUB.md rule 17; Security Hub CSPM API reference,
 * "Quotas"): GetFindings 3 per second with bursts of 6, BatchImportFindings 10 per second with
 * bursts of 30, per account and region. Paced with the collectors' token buckets (lib/collect/pacing.ts).
 */
export const SECURITY_HUB_QUOTAS: Readonly<Record<string, ApiQuota>> = {
  [GET_FINDINGS]: { own: { burst: 6, perSecond: 3 } },
  [BATCH_IMPORT]: { own: { burst: 30, perSecond: 10 } },
};

/** Raised when the synchronisation's deadline cut a call short (or kept it from starting). */
export class SyncDeadlineError extends Error {
  override name = 'SyncDeadline';
  constructor() {
    super('the run reached its time limit for Security Hub');
  }
}

/**
 * One Security Hub call: a token first, then the call, raced against the deadline signal (a call
 * that never answers must not hold the run past its limit, whatever the client does with the signal).
 */
async function hubCall<T>(target: HubTarget, api: string, send: (options: { abortSignal?: AbortSignal }) => Promise<T>): Promise<T> {
  const { signal } = target;
  if (signal?.aborted) throw new SyncDeadlineError();
  if (target.pacer) {
    try {
      await target.pacer.acquire(`${target.accountId}/${target.region}`, api, signal);
    } catch (e) {
      if (signal?.aborted) throw new SyncDeadlineError();
      throw e;
    }
  }
  if (!signal) return send({});
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new SyncDeadlineError());
    signal.addEventListener('abort', onAbort, { once: true });
    send({ abortSignal: signal }).then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) reject(new SyncDeadlineError());
        else resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(signal.aborted ? new SyncDeadlineError() : error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

export const MAX_BATCH_FINDINGS = 100;
/** 6 MB per call, minus room for the request envelope. */
export const MAX_BATCH_BYTES = 6_000_000 - 16_384;
const PAGE_SIZE = 100;
/** GetFindings accepts at most 20 values per filter attribute. */
const MAX_FILTER_VALUES = 20;

/** Rule 13: the default product, our GeneratorId prefix, this account and region. */
export function ourFindingsFilter(target: HubTarget): AwsSecurityFindingFilters {
  return {
    ProductArn: [{ Value: target.productArn, Comparison: 'EQUALS' }],
    GeneratorId: [{ Value: GENERATOR_PREFIX, Comparison: 'PREFIX' }],
    AwsAccountId: [{ Value: target.accountId, Comparison: 'EQUALS' }],
    // An aggregation region also returns its linked regions' findings.
    Region: [{ Value: target.region, Comparison: 'EQUALS' }],
  };
}

async function readAll(target: HubTarget, filters: AwsSecurityFindingFilters): Promise<AwsSecurityFinding[]> {
  const findings: AwsSecurityFinding[] = [];
  const seenTokens = new Set<string>();
  let token: string | undefined;
  do {
    const input = { Filters: filters, MaxResults: PAGE_SIZE, ...(token ? { NextToken: token } : {}) };
    const page = await hubCall(target, GET_FINDINGS, (options) => target.client.send(new GetFindingsCommand(input), options));
    findings.push(...(page.Findings ?? []));
    token = page.NextToken || undefined;
    if (token !== undefined) {
      if (seenTokens.has(token)) throw new Error('GetFindings returned the same NextToken twice');
      seenTokens.add(token);
    }
  } while (token !== undefined);
  return findings;
}

/**
 * Our ACTIVE findings in the region; with `resourceIds`, only those listing one of these resources
 * (a run restricted to a few clusters reads their findings, not the whole region's).
 */
export async function readActiveFindings(target: HubTarget, resourceIds?: readonly string[]): Promise<AwsSecurityFinding[]> {
  const filters: AwsSecurityFindingFilters = { ...ourFindingsFilter(target), RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }] };
  if (resourceIds === undefined) return readAll(target, filters);
  const out = new Map<string, AwsSecurityFinding>();
  for (const chunk of chunks([...new Set(resourceIds)], MAX_FILTER_VALUES)) {
    const scoped = { ...filters, ResourceId: chunk.map((id) => ({ Value: id, Comparison: 'EQUALS' as const })) };
    for (const f of await readAll(target, scoped)) if (f.Id) out.set(f.Id, f);
  }
  return [...out.values()];
}

/** Ids of our ACTIVE findings of one check in the region (a scoped run counts the open evaluation gaps it did not read). */
export async function readActiveIdsOfCheck(target: HubTarget, checkId: string): Promise<Set<string>> {
  const filters: AwsSecurityFindingFilters = {
    ...ourFindingsFilter(target),
    GeneratorId: [{ Value: generatorId(checkId), Comparison: 'EQUALS' }],
    RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
  };
  return new Set((await readAll(target, filters)).flatMap((f) => (f.Id ? [f.Id] : [])));
}

/** Stored findings (any record state) with these Ids: the archived ones a new FAIL reopens. */
export async function readFindingsById(target: HubTarget, ids: readonly string[]): Promise<Map<string, AwsSecurityFinding>> {
  const out = new Map<string, AwsSecurityFinding>();
  for (const chunk of chunks(ids, MAX_FILTER_VALUES)) {
    const filters = { ...ourFindingsFilter(target), Id: chunk.map((id) => ({ Value: id, Comparison: 'EQUALS' as const })) };
    for (const f of await readAll(target, filters)) if (f.Id) out.set(f.Id, f);
  }
  return out;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Batches of at most 100 findings and 6 MB. */
export function batches<T>(findings: readonly T[], maxCount = MAX_BATCH_FINDINGS, maxBytes = MAX_BATCH_BYTES): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const finding of findings) {
    const size = Buffer.byteLength(JSON.stringify(finding)) + 1;
    if (current.length > 0 && (current.length >= maxCount || bytes + size > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(finding);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

// ---------------------------------------------------------------- errors

export interface AwsErrorInfo {
  code: string;
  message: string;
  status?: number;
}

export function errorInfo(error: unknown): AwsErrorInfo {
  if (error instanceof Error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    return { code: error.name, message: error.message, ...(status !== undefined ? { status } : {}) };
  }
  return { code: 'Error', message: String(error) };
}

/** Security Hub is not enabled here, or we may not use it: no point in trying finding by finding. */
export function isUnavailable(code: string | undefined): boolean {
  return /^(InvalidAccess|AccessDenied|UnrecognizedClient)/.test(code ?? '');
}

/** LimitExceeded (429) and Internal (500) are retried; InvalidInput (400) never is. */
export function isRetryable(code: string | undefined, status?: number): boolean {
  if (/Internal|Throttl|LimitExceeded|TooManyRequests|ServiceUnavailable|Timeout/i.test(code ?? '')) return true;
  return status !== undefined && (status === 429 || status >= 500);
}

// ---------------------------------------------------------------- import

export interface FailedImport {
  id: string;
  code: string;
  message: string;
}

export interface ImportResult {
  /** Ids Security Hub accepted. */
  imported: Set<string>;
  /** Findings that could not be imported, with Security Hub's reason. */
  failed: FailedImport[];
  /** Set when Security Hub refused the region as a whole (not enabled, access denied). */
  unavailable?: AwsErrorInfo;
  /** The synchronisation's deadline stopped the imports: `failed` holds what was not sent. */
  stoppedAtDeadline?: boolean;
}

export const TIME_LIMIT = 'TimeLimit';
const NOT_SENT_TIME_LIMIT = 'not sent: the run reached its time limit';

export interface ImportOptions {
  log: PublishLog;
  sleep: (ms: number) => Promise<void>;
  /** Retries of a batch (or its retryable part) after the first attempt. */
  maxRetries: number;
}

export function backoffMs(attempt: number): number {
  return Math.min(200 * 2 ** attempt, 5_000);
}

/** Import sequentially, batch by batch; stops at the first sign that the region refuses imports. */
export async function importFindings(target: HubTarget, findings: readonly AwsSecurityFinding[], options: ImportOptions): Promise<ImportResult> {
  const result: ImportResult = { imported: new Set(), failed: [] };
  const list = batches(findings);
  for (const [index, batch] of list.entries()) {
    if (target.signal?.aborted) {
      // Stop at the deadline: what was not sent stays as Security Hub holds it.
      for (const f of list.slice(index).flat()) result.failed.push({ id: f.Id ?? '', code: TIME_LIMIT, message: NOT_SENT_TIME_LIMIT });
      result.stoppedAtDeadline = true;
      break;
    }
    await importBatch(target, batch, options, result);
    if (result.unavailable) {
      const rest = list.slice(index + 1).flat();
      for (const f of rest) result.failed.push({ id: f.Id ?? '', code: result.unavailable.code, message: 'not sent: Security Hub refused the region' });
      break;
    }
  }
  return result;
}

async function importBatch(target: HubTarget, batch: readonly AwsSecurityFinding[], options: ImportOptions, result: ImportResult): Promise<void> {
  let pending = [...batch];
  for (let attempt = 0; pending.length > 0; attempt += 1) {
    const last = attempt >= options.maxRetries;
    let response: BatchImportFindingsCommandOutput;
    const findings = pending;
    try {
      response = await hubCall(target, BATCH_IMPORT, (sendOptions) => target.client.send(new BatchImportFindingsCommand({ Findings: findings }), sendOptions));
    } catch (error) {
      if (error instanceof SyncDeadlineError) {
        // Sent or not, the answer is unknown: counted as not imported; the next run re-sends it.
        for (const f of pending) result.failed.push({ id: f.Id ?? '', code: TIME_LIMIT, message: NOT_SENT_TIME_LIMIT });
        result.stoppedAtDeadline = true;
        return;
      }
      const info = errorInfo(error);
      if (isUnavailable(info.code)) {
        result.unavailable = info;
        for (const f of pending) result.failed.push({ id: f.Id ?? '', code: info.code, message: info.message });
        return;
      }
      const retry = !last && isRetryable(info.code, info.status);
      options.log(retry ? 'warn' : 'error', 'BatchImportFindings failed', { region: target.region, findings: pending.length, attempt, errorCode: info.code, errorMessage: info.message, willRetry: retry });
      if (retry) {
        await options.sleep(backoffMs(attempt));
        continue;
      }
      for (const f of pending) result.failed.push({ id: f.Id ?? '', code: info.code, message: info.message });
      return;
    }

    const entries = response.FailedFindings ?? [];
    const failedIds = new Set(entries.map((e) => e.Id));
    for (const f of pending) if (f.Id && !failedIds.has(f.Id)) result.imported.add(f.Id);
    if ((response.FailedCount ?? 0) > entries.length) {
      options.log('warn', 'BatchImportFindings reported more failures than it listed', { region: target.region, failedCount: response.FailedCount, listed: entries.length });
    }
    if (entries.length === 0) return;

    const retryIds = new Set<string>();
    for (const entry of entries) {
      const retry = !last && isRetryable(entry.ErrorCode);
      options.log(retry ? 'warn' : 'error', 'Security Hub did not import a finding', {
        region: target.region,
        findingId: entry.Id,
        errorCode: entry.ErrorCode,
        errorMessage: entry.ErrorMessage,
        attempt,
        willRetry: retry,
      });
      if (retry && entry.Id) retryIds.add(entry.Id);
      else result.failed.push({ id: entry.Id ?? '', code: entry.ErrorCode ?? 'Unknown', message: entry.ErrorMessage ?? '' });
    }
    const refusal = entries.find((e) => isUnavailable(e.ErrorCode));
    if (refusal) {
      result.unavailable = { code: refusal.ErrorCode ?? 'InvalidAccess', message: refusal.ErrorMessage ?? '' };
      for (const id of retryIds) result.failed.push({ id, code: result.unavailable.code, message: 'not retried: Security Hub refused the region' });
      return;
    }
    if (retryIds.size === 0) return;
    pending = pending.filter((f) => f.Id !== undefined && retryIds.has(f.Id));
    await options.sleep(backoffMs(attempt));
  }
}
