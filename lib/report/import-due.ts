/**
 * Whether a current finding needs an import (SECURITY-HUB.md rule 14): every BatchImportFindings of
 * a finding is a billed ingestion event and a "Security Hub Findings - Imported" event that every
 * downstream rule (SIEM forwarding, ticketing) sees, so an ACTIVE finding is sent again only when
 * what we would send differs from what Security Hub holds, or every 30 h or so to keep it fresh.
 *
 * The refresh is spread in time: each finding has its own slot in a 30-hour cycle (a point of the
 * cycle fixed by a hash of its Id) and is refreshed by the first run that is at least 24 h after its
 * stored UpdatedAt and past the first such slot at least 18 h after it. Findings first imported
 * together by one run (a first deployment) therefore come due in different runs — about a fifth per
 * run at the default rate(6 hours) — instead of all in one run a day later, and each keeps its slot
 * afterwards: a refresh every 30 h or so, never sooner than 24 h. A cycle of exactly 24 h would put
 * a refresh right at the 24-hour floor, where a run that starts a minute early skips every finding
 * of the previous day's run and the next run sends them all; 30 h leaves the floor six hours clear.
 * Pure: the run's time comes in.
 */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { PROVIDER_FIELDS } from './stored-finding.js';

/** An unchanged ACTIVE finding is never re-sent sooner than this after its stored UpdatedAt. */
export const MIN_REFRESH_INTERVAL_MS = 24 * 3_600_000;
/** The cycle of the refresh slots: each finding is refreshed about this often. */
export const REFRESH_CYCLE_MS = 30 * 3_600_000;
/** The earliest point, after the stored UpdatedAt, from which the finding's slot counts. */
export const SLOT_LEAD_MS = 18 * 3_600_000;

export type ImportReason = 'new' | 'changed' | 'refresh';

/**
 * Why `fresh` must be imported over `stored` (our ACTIVE record of the same Id, or undefined when
 * Security Hub has none active), or undefined when Security Hub already shows it and it is fresh.
 */
export function importReason(fresh: AwsSecurityFinding, stored: AwsSecurityFinding | undefined, nowMs: number): ImportReason | undefined {
  if (!stored || stored.RecordState !== 'ACTIVE') return 'new';
  if (!sameProviderContent(fresh, stored)) return 'changed';
  return refreshDue(stored.Id ?? fresh.Id ?? '', stored.UpdatedAt, nowMs) ? 'refresh' : undefined;
}

/** Due for its refresh: ≥ 24 h since `updatedAt` and its slot reached. Unreadable times are due. */
export function refreshDue(id: string, updatedAt: string | undefined, nowMs: number): boolean {
  const last = Date.parse(updatedAt ?? '');
  if (Number.isNaN(last)) return true;
  if (nowMs - last < MIN_REFRESH_INTERVAL_MS) return false;
  return nowMs >= slotAtOrAfter(id, last + SLOT_LEAD_MS);
}

/** The first instant at or after `t` (epoch ms) that is the finding's slot of the cycle. */
export function slotAtOrAfter(id: string, t: number): number {
  const phase = slotOfCycle(id);
  return t + ((((phase - t) % REFRESH_CYCLE_MS) + REFRESH_CYCLE_MS) % REFRESH_CYCLE_MS);
}

/** The finding's slot: ms into the cycle (counted from the epoch), from a 32-bit hash of its Id (FNV-1a, then mixed). */
export function slotOfCycle(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i += 1) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // MurmurHash3's finaliser: FNV alone leaves Ids that differ in their last characters (cluster
  // ids, resource ids) close together in the high bits, i.e. in the same part of the cycle.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return Math.floor((h / 2 ** 32) * REFRESH_CYCLE_MS);
}

/**
 * Every field a provider owns compared, after what Security Hub adds or keeps for itself is taken
 * away: the timestamps (they change every run by design), ProductName/CompanyName (filled in by
 * Security Hub), the reserved `aws/` ProductFields, and the customer's fields (Workflow, Note,
 * top-level Severity/Types…), which are simply not among the compared ones.
 */
export function sameProviderContent(fresh: AwsSecurityFinding, stored: AwsSecurityFinding): boolean {
  return canonical(contentOf(fresh)) === canonical(contentOf(stored));
}

/** What Security Hub fills in itself (ProductName, CompanyName) and what changes every run by design. */
const NOT_COMPARED: ReadonlySet<string> = new Set(['ProductName', 'CompanyName', 'CreatedAt', 'UpdatedAt', 'FirstObservedAt', 'LastObservedAt']);
const CONTENT_FIELDS = PROVIDER_FIELDS.filter((f) => !NOT_COMPARED.has(f));

const RESOURCE_FIELDS = ['Type', 'Id', 'Partition', 'Region', 'ResourceRole', 'Tags', 'Details'] as const;

function contentOf(f: AwsSecurityFinding): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of CONTENT_FIELDS) out[k] = f[k];
  const compliance = f.Compliance;
  out.Compliance = compliance ? { Status: compliance.Status, RelatedRequirements: compliance.RelatedRequirements, AssociatedStandards: compliance.AssociatedStandards } : undefined;
  out.ProductFields = Object.fromEntries(Object.entries(f.ProductFields ?? {}).filter(([k]) => !k.startsWith('aws/')));
  out.Resources = (f.Resources ?? []).map((r) => Object.fromEntries(RESOURCE_FIELDS.map((k) => [k, r[k]])));
  return out;
}

/** JSON with sorted keys; null, undefined and empty objects/arrays read as absent. */
function canonical(v: unknown): string {
  const clean = prune(v);
  return JSON.stringify(clean === undefined ? null : clean, (_k, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : value,
  );
}

function prune(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) {
    const items = v.map((x) => prune(x) ?? null);
    return items.length > 0 ? items : undefined;
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => [k, prune(x)] as const)
      .filter(([, x]) => x !== undefined);
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  }
  return v;
}
