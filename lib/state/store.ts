/**
 * Where the state lives between runs: one gzipped JSON object per account and region, in a
 * directory (CLI `--state DIR`) or under an S3 prefix (CLI `--state s3://bucket/prefix`, the
 * Lambda's bucket). Reading never throws: a missing, unreadable or invalid object is "no state"
 * with the reason, and the run describes everything. Writing is conditional on what was read (S3:
 * If-Match the ETag, or If-None-Match "*" when there was none; file: the content read), so two
 * writers cannot clobber each other: the second one's write is skipped, with the reason.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { failureOf } from '../collect/calls.js';
import { parseState, type RegionState } from './schema.js';

/** A gzipped state object larger than this is not read (a 1,000-cluster region is ~0.3 MB). */
export const MAX_STATE_BYTES = 32 * 2 ** 20;

export interface LoadedState {
  /** The valid state, if any. */
  state?: RegionState;
  /** What the object was when read (ETag / content hash); undefined: there was none. */
  version?: string;
  /** Why no state is used (missing, unreadable, invalid, other account). */
  note?: string;
}

export interface SaveOutcome {
  saved: boolean;
  /** Why it was not saved (another writer first, an error). */
  note?: string;
}

export interface StateStore {
  /** For logs: `s3://bucket/prefix` or the directory. */
  readonly location: string;
  load(accountId: string, region: string): Promise<LoadedState>;
  save(state: RegionState, previous: LoadedState): Promise<SaveOutcome>;
}

/** `prefix` + `account/region.json.gz`: one object per account and region. */
export function stateKey(prefix: string, accountId: string, region: string): string {
  const p = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  return `${p}${accountId}/${region}.json.gz`;
}

export function encodeState(state: RegionState): Uint8Array {
  return gzipSync(Buffer.from(JSON.stringify(state), 'utf8'));
}

/** Gunzip, JSON-parse and validate; the reason on any failure. */
export function decodeState(bytes: Uint8Array, expect: { accountId: string; region: string }): { ok: true; state: RegionState } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(gunzipSync(bytes, { maxOutputLength: 8 * MAX_STATE_BYTES }).toString('utf8'));
  } catch (e) {
    return { ok: false, reason: `unreadable (${e instanceof Error ? e.message : String(e)})` };
  }
  return parseState(json, expect);
}

const hash = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

// ---------------------------------------------------------------- file

export class FileStateStore implements StateStore {
  constructor(readonly location: string) {}

  private path(accountId: string, region: string): string {
    return join(this.location, stateKey('', accountId, region));
  }

  async load(accountId: string, region: string): Promise<LoadedState> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.path(accountId, region));
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      return { note: code === 'ENOENT' ? 'no state yet' : `unreadable (${e instanceof Error ? e.message : String(e)})` };
    }
    const version = hash(bytes);
    if (bytes.length > MAX_STATE_BYTES) return { version, note: `larger than ${MAX_STATE_BYTES} bytes` };
    const decoded = decodeState(bytes, { accountId, region });
    return decoded.ok ? { state: decoded.state, version } : { version, note: decoded.reason };
  }

  async save(state: RegionState, previous: LoadedState): Promise<SaveOutcome> {
    const path = this.path(state.accountId, state.region);
    try {
      const current = await readFile(path).then(hash, (e: unknown) => {
        if ((e as { code?: unknown }).code === 'ENOENT') return undefined;
        throw e;
      });
      if (current !== previous.version) return { saved: false, note: 'another run changed the state since it was read; its state is kept' };
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, encodeState(state), { mode: 0o600 });
      await rename(tmp, path);
      return { saved: true };
    } catch (e) {
      return { saved: false, note: e instanceof Error ? e.message : String(e) };
    }
  }
}

// ---------------------------------------------------------------- S3

/** `s3://bucket/prefix` → bucket and prefix; undefined when it is not an S3 URL. */
export function parseS3Url(url: string): { bucket: string; prefix: string } | undefined {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  return m ? { bucket: m[1]!, prefix: m[2] ?? '' } : undefined;
}

export class S3StateStore implements StateStore {
  readonly location: string;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {
    this.location = `s3://${bucket}/${prefix}`;
  }

  async load(accountId: string, region: string): Promise<LoadedState> {
    const Key = stateKey(this.prefix, accountId, region);
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
      const version = out.ETag;
      if ((out.ContentLength ?? 0) > MAX_STATE_BYTES) return { ...(version ? { version } : {}), note: `larger than ${MAX_STATE_BYTES} bytes` };
      const bytes = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
      const decoded = decodeState(bytes, { accountId, region });
      return decoded.ok ? { state: decoded.state, ...(version ? { version } : {}) } : { ...(version ? { version } : {}), note: decoded.reason };
    } catch (e) {
      const f = failureOf('s3:GetObject', e);
      // A missing object is the first run; anything else (denied, throttled) also means "no state".
      return { note: f.code === 'NoSuchKey' ? 'no state yet' : `unreadable (${f.api} ${f.code}: ${f.message})` };
    }
  }

  async save(state: RegionState, previous: LoadedState): Promise<SaveOutcome> {
    const Key = stateKey(this.prefix, state.accountId, state.region);
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key,
          Body: encodeState(state),
          ContentType: 'application/gzip',
          // Conditional: only over the object this run read, or only if there still is none.
          ...(previous.version ? { IfMatch: previous.version } : { IfNoneMatch: '*' }),
        }),
      );
      return { saved: true };
    } catch (e) {
      const f = failureOf('s3:PutObject', e);
      if (f.code === 'PreconditionFailed' || f.code === 'ConditionalRequestConflict') return { saved: false, note: 'another run wrote the state since it was read; its state is kept' };
      return { saved: false, note: `${f.api} ${f.code}: ${f.message}` };
    }
  }
}
