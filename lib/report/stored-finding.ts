/**
 * Findings read back from Security Hub: who they are (check, resource, cluster) and the provider
 * record to send when one of them is re-imported (updated or archived).
 *
 * An import overwrites the whole provider record, so an update sends every provider field again.
 * It must not carry the customer's fields (Workflow, Note, UserDefinedFields, VerificationState and
 * the top-level Severity/Types/Criticality/Confidence/RelatedFindings, which BatchUpdateFindings
 * owns), nor what Security Hub fills in itself (Region, ProcessedAt, AwsAccountName, the reserved
 * `aws/` ProductFields). Copying only the fields we write is what guarantees that.
 */
import type { AwsSecurityFinding, ComplianceStatus, Resource } from '@aws-sdk/client-securityhub';
import { FIELD, GENERATOR_PREFIX, LIMITS, truncate } from './asff.js';

export interface FindingIdentity {
  checkId: string;
  resourceId: string;
  /** Null for account-level (region) findings. */
  clusterId: string | null;
}

/** Our identity of a stored finding: from its ProductFields, else parsed from its Id. */
export function identityOf(finding: Pick<AwsSecurityFinding, 'Id' | 'ProductFields'>): FindingIdentity | undefined {
  const fields = finding.ProductFields ?? {};
  const checkId = fields[FIELD.checkId];
  const resourceId = fields[FIELD.resourceId];
  if (checkId && resourceId) return { checkId, resourceId, clusterId: fields[FIELD.clusterId] ?? null };
  // `emr-audit/{region}/{account}/{area}/{name}/{resourceId}`: check ids have exactly one slash.
  const parts = (finding.Id ?? '').split('/');
  if (`${parts[0]}/` !== GENERATOR_PREFIX || parts.length < 6) return undefined;
  const fromId = parts.slice(5).join('/');
  if (fromId.startsWith('sha256-')) return undefined;
  return { checkId: `${parts[3]}/${parts[4]}`, resourceId: fromId, clusterId: fromId.startsWith('j-') ? (fromId.split('/')[0] ?? null) : null };
}

/** The check ids an evaluation-gap finding lists. */
export function incompleteChecksOf(finding: Pick<AwsSecurityFinding, 'ProductFields'>): string[] {
  const raw = finding.ProductFields?.[FIELD.incompleteChecks] ?? '';
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The top-level fields a provider owns (the rest — Workflow, Note, top-level Severity… — are the customer's). */
export const PROVIDER_FIELDS = [
  'SchemaVersion',
  'Id',
  'ProductArn',
  'ProductName',
  'CompanyName',
  'GeneratorId',
  'AwsAccountId',
  'CreatedAt',
  'UpdatedAt',
  'FirstObservedAt',
  'LastObservedAt',
  'Title',
  'Description',
  'Remediation',
  'SourceUrl',
  'RecordState',
  'FindingProviderFields',
  // The reachable path (exposure/internet-reachable-port, network/*): ours, so an archive keeps it.
  'Network',
  'NetworkPath',
] as const satisfies ReadonlyArray<keyof AwsSecurityFinding>;

const RESOURCE_FIELDS = ['Type', 'Id', 'Partition', 'Region', 'ResourceRole', 'Tags', 'Details'] as const satisfies ReadonlyArray<keyof Resource>;

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (source[k] !== undefined && source[k] !== null) out[k] = source[k];
  return out;
}

/** The provider record of a stored finding, as it can be sent back to BatchImportFindings. */
export function providerRecord(stored: AwsSecurityFinding): AwsSecurityFinding {
  const productFields = Object.fromEntries(Object.entries(stored.ProductFields ?? {}).filter(([k]) => !k.startsWith('aws/')));
  // A record without provider severity/types (written by hand, or by an older tool) would be
  // rejected; Security Hub copied them to the top level, so take them from there.
  const fallbackLabel = stored.Severity?.Label;
  const providerFields = {
    ...stored.FindingProviderFields,
    ...(!stored.FindingProviderFields?.Severity?.Label && fallbackLabel ? { Severity: { Label: fallbackLabel } } : {}),
    ...(!stored.FindingProviderFields?.Types?.length && stored.Types?.length ? { Types: stored.Types } : {}),
  };
  return {
    ...pick(stored, PROVIDER_FIELDS),
    FindingProviderFields: providerFields,
    // Only the compliance status is ours; the rest of Compliance belongs to Security Hub controls.
    ...(stored.Compliance?.Status ? { Compliance: { Status: stored.Compliance.Status } } : {}),
    ProductFields: productFields,
    Resources: (stored.Resources ?? []).map((r) => pick(r, RESOURCE_FIELDS)),
  };
}

/**
 * UpdatedAt for a re-import: the run's time, unless the stored value is not older (a clock
 * ahead, two runs in one millisecond) — then one millisecond after it, or Security Hub would
 * silently ignore the import.
 */
export function nextUpdatedAt(now: string, stored: string | undefined): string {
  if (!stored) return now;
  const previous = Date.parse(stored);
  const current = Date.parse(now);
  if (Number.isNaN(previous) || previous < current) return now;
  return new Date(previous + 1).toISOString();
}

/** A fresh finding that replaces a stored one: the stored creation and first observation kept. */
export function asUpdateOf(fresh: AwsSecurityFinding, stored: AwsSecurityFinding | undefined): AwsSecurityFinding {
  if (!stored) return fresh;
  return {
    ...fresh,
    CreatedAt: stored.CreatedAt ?? fresh.CreatedAt,
    FirstObservedAt: stored.FirstObservedAt ?? stored.CreatedAt ?? fresh.FirstObservedAt,
    UpdatedAt: nextUpdatedAt(fresh.UpdatedAt ?? '', stored.UpdatedAt),
  };
}

export interface ArchiveChange {
  /** New compliance status; undefined keeps the stored one (suppressed, disabled). */
  compliance?: ComplianceStatus;
  /** Why it is archived: leads the description. */
  note: string;
  /** The run's ISO time. */
  now: string;
}

/** The stored finding re-imported as ARCHIVED, with the reason in its description. */
export function archivedRecord(stored: AwsSecurityFinding, change: ArchiveChange): AwsSecurityFinding {
  const record = providerRecord(stored);
  const previous = stored.Description ? ` Last reported: ${stored.Description}` : '';
  return {
    ...record,
    RecordState: 'ARCHIVED',
    ...(change.compliance ? { Compliance: { Status: change.compliance } } : {}),
    Description: truncate(`${change.note}${previous}`, LIMITS.description),
    UpdatedAt: nextUpdatedAt(change.now, stored.UpdatedAt),
  };
}
