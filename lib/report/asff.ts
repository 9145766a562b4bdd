/**
 * Results → ASFF findings (SECURITY-HUB.md rules 1–12). Pure: the synchroniser (sync.ts) decides
 * which findings to import and merges them with what Security Hub already holds; this module only
 * shapes one finding from one result (or one evaluation gap) within Security Hub's limits.
 */
import { createHash } from 'node:crypto';
import type { AwsSecurityFinding, ComplianceStatus, Partition, Resource } from '@aws-sdk/client-securityhub';
import { SEVERITIES, TYPES, type Check, type NetworkPath, type ResourceRef, type Result, type Severity } from '../../checks/contract.js';
import { CHECKS } from '../../checks/index.js';
import { associatedStandards, relatedRequirements, type ComplianceRef } from '../compliance.js';
import type { Cluster, Snapshot } from '../snapshot.js';
import type { RegionVpcData } from '../snapshot-vpc.js';
import { findingNetwork, findingNetworkPath, networkAclDetails, routeTableDetails, subnetDetails } from './asff-network.js';
import { SUPPRESSED_CHECK_ID } from '../suppression.js';
import { jsonChunks, LazyList } from './json-chunks.js';
import { groupBy } from '../group-by.js';

export { SUPPRESSED_CHECK_ID } from '../suppression.js';

export const SCHEMA_VERSION = '2018-10-08';
/** Every GeneratorId of ours starts with this; the archive sweep selects our findings by it. */
export const GENERATOR_PREFIX = 'emr-audit/';
/** The pseudo check of evaluation gaps (CHECKS.md "Evaluation gaps"). */
export const GAP_CHECK_ID = 'audit/evaluation-incomplete';
export const PRODUCT_NAME = 'emr-audit';

/** Security Hub's limits (API reference of AwsSecurityFinding, BatchImportFindings). */
export const LIMITS = {
  id: 512,
  title: 256,
  description: 1024,
  remediationText: 512,
  resources: 32,
  productFieldKey: 128,
  productFieldValue: 2048,
  otherDetailValue: 1023,
  /** A finding may not exceed 240 KB. */
  findingBytes: 240 * 1024,
  /** Compliance.RelatedRequirements: at most 32 items (API reference, Compliance), each non-blank. */
  relatedRequirements: 32,
} as const;

/** Our ProductFields keys: the identity of a stored finding is read back from them. */
export const FIELD = {
  checkId: 'emr-audit/CheckId',
  resourceId: 'emr-audit/ResourceId',
  clusterId: 'emr-audit/ClusterId',
  clusterName: 'emr-audit/ClusterName',
  /** Evaluation gaps: the comma-separated check ids that could not be evaluated. */
  incompleteChecks: 'emr-audit/IncompleteChecks',
  /** The Security Hub CSPM controls the check maps to (lib/compliance.ts), comma-separated. */
  securityHubControls: 'emr-audit/SecurityHubControls',
  /** Suppression findings: the comma-separated check ids whose results are suppressed. */
  suppressedChecks: 'emr-audit/SuppressedChecks',
} as const;

const PARTITIONS: ReadonlySet<string> = new Set(['aws', 'aws-cn', 'aws-us-gov', 'aws-us-iso', 'aws-us-iso-b']);

const GAP_REMEDIATION = {
  text: 'Give the audit role the read permissions the listed checks need (see the README for the IAM policy), look in the function logs for throttling or a time budget that ran out, then run the audit again. Findings of these checks are kept unchanged until a run evaluates them; this finding is archived once every check runs.',
  url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html',
};

// ---------------------------------------------------------------- identity

export function productArn(partition: string, region: string, accountId: string): string {
  return `arn:${partition}:securityhub:${region}:${accountId}:product/${accountId}/default`;
}

export function generatorId(checkId: string): string {
  return `${GENERATOR_PREFIX}${checkId}`;
}

/**
 * Deterministic from stable facts only, so the same problem always updates the same finding. A
 * resource id long enough to break the 512-character limit is replaced by its SHA-256.
 */
export function findingId(region: string, accountId: string, checkId: string, resourceId: string): string {
  const head = `${GENERATOR_PREFIX}${region}/${accountId}/${checkId}/`;
  const id = head + resourceId;
  if (id.length <= LIMITS.id) return id;
  return `${head}sha256-${createHash('sha256').update(resourceId).digest('hex')}`;
}

/**
 * The stable id of a result (JSON `results[].id`, `summary.fixFirst`): the Id of the Security Hub
 * finding it is, or would be, published as — the same problem has the same id in every run, every
 * format and in Security Hub.
 */
export function resultId(r: Pick<Result, 'region' | 'accountId' | 'checkId' | 'resourceId'>): string {
  return findingId(r.region, r.accountId, r.checkId, r.resourceId);
}

// ---------------------------------------------------------------- text limits

/** Cut to `max` UTF-16 units, ending with "…", without splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** Security Hub rejects empty or whitespace-only strings (pattern `.*\S.*`). */
function nonEmpty(text: string, fallback: string): string {
  return /\S/.test(text) ? text : fallback;
}

// ---------------------------------------------------------------- context

/** What every finding of one run shares: account, partition, time, check metadata, clusters. */
export interface FindingContext {
  accountId: string;
  partition: string;
  /** ISO time of the run: CreatedAt/UpdatedAt of new findings (when the finding record is written). */
  now: string;
  /**
   * ISO time the data was collected (the snapshot's `collectedAt`): FirstObservedAt/LastObservedAt
   * of new findings. A live run collects at its start, so it is the run's time; an offline scan
   * (`--demo`, `--snapshot`) observed the account when the snapshot was taken, not when it ran.
   */
  observedAt: string;
  check(checkId: string): Check | undefined;
  cluster(region: string, clusterId: string): Cluster | undefined;
  /** The region's VPC data (subnets, route tables, network ACLs) for resource Details; optional for callers without a snapshot. */
  vpc?(region: string): RegionVpcData | undefined;
  /**
   * The run's one copy of a part many findings share (a check's Compliance and Remediation, a
   * cluster's resource, a region's ProductArn), frozen. At 1,000 clusters a run holds ~7,000
   * findings at once; sharing these parts instead of rebuilding them per finding keeps the plan
   * within the function's memory. `key` names the part and everything it is built from.
   */
  shared<T>(key: string, make: () => T): T;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The snapshot's collection time as ASFF writes times; the run's when it is unreadable. */
function observedAt(snapshot: Snapshot, now: Date): string {
  const t = Date.parse(snapshot.collectedAt);
  return Number.isNaN(t) ? now.toISOString() : new Date(t).toISOString();
}

export function findingContext(snapshot: Snapshot, now: Date, checks: readonly Check[] = CHECKS): FindingContext {
  const byId = new Map(checks.map((c) => [c.id, c]));
  const clusters = new Map<string, Cluster>();
  const vpcs = new Map<string, RegionVpcData>();
  for (const region of snapshot.regions) {
    for (const cluster of region.clusters) clusters.set(`${region.region}\u0000${cluster.id}`, cluster);
    if (region.vpc) vpcs.set(region.region, region.vpc);
  }
  const parts = new Map<string, unknown>();
  return {
    accountId: snapshot.accountId,
    partition: snapshot.partition,
    now: now.toISOString(),
    observedAt: observedAt(snapshot, now),
    check: (id) => byId.get(id),
    cluster: (region, id) => clusters.get(`${region}\u0000${id}`),
    vpc: (region) => vpcs.get(region),
    shared: <T>(key: string, make: () => T): T => {
      if (parts.has(key)) return parts.get(key) as T;
      const part = deepFreeze(make());
      parts.set(key, part);
      return part;
    },
  };
}

// ---------------------------------------------------------------- resources

function partitionOf(ctx: FindingContext): Partition | undefined {
  return PARTITIONS.has(ctx.partition) ? (ctx.partition as Partition) : undefined;
}

function located(ctx: FindingContext, region: string, resource: Resource): Resource {
  const partition = partitionOf(ctx);
  return { ...resource, ...(partition ? { Partition: partition } : {}), Region: region };
}

/** `Details.Other`: string values only, each under 1024 characters, nothing empty. */
function otherDetails(values: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined && /\S/.test(v)) out[k] = truncate(v, LIMITS.otherDetailValue);
  return out;
}

export function clusterArn(ctx: FindingContext, region: string, clusterId: string): string {
  return `arn:${ctx.partition}:elasticmapreduce:${region}:${ctx.accountId}:cluster/${clusterId}`;
}

/** There is no EMR resource type in ASFF: the cluster is `Other` with its type in the details. */
export function clusterResource(ctx: FindingContext, region: string, clusterId: string, clusterName: string | null): Resource {
  return ctx.shared(`cluster\u0000${region}\u0000${clusterId}\u0000${clusterName ?? ''}`, () => {
    const cluster = ctx.cluster(region, clusterId);
    return located(ctx, region, {
      Type: 'Other',
      Id: cluster?.arn ?? clusterArn(ctx, region, clusterId),
      Details: {
        Other: otherDetails({
          ResourceType: 'AWS::EMR::Cluster',
          ClusterId: clusterId,
          Name: cluster?.name ?? clusterName ?? undefined,
          ReleaseLabel: cluster?.releaseLabel,
          State: cluster?.state,
        }),
      },
    });
  });
}

export function accountResource(ctx: FindingContext, region: string): Resource {
  return ctx.shared(`account\u0000${region}`, () => located(ctx, region, { Type: 'AwsAccount', Id: `AWS::::Account:${ctx.accountId}` }));
}

/**
 * ASFF has types for groups, roles, policies, instances, subnets, route tables and network ACLs;
 * anything else is `Other`. The VPC resources carry their Details from the snapshot when it has them.
 */
function refResource(ctx: FindingContext, region: string, ref: ResourceRef): Resource {
  return ctx.shared(`ref\u0000${region}\u0000${ref.type}\u0000${ref.id}\u0000${ref.arn ?? ''}`, () => freshRefResource(ctx, region, ref));
}

function freshRefResource(ctx: FindingContext, region: string, ref: ResourceRef): Resource {
  const id = ref.arn ?? ref.id;
  switch (ref.type) {
    case 'AwsEc2SecurityGroup':
    case 'AwsIamRole':
    case 'AwsIamPolicy':
    case 'AwsEc2Instance':
      return located(ctx, region, { Type: ref.type, Id: id });
    case 'AwsEc2Subnet': {
      const subnet = ctx.vpc?.(region)?.subnets[ref.id];
      return located(ctx, region, { Type: ref.type, Id: id, ...(subnet ? { Details: subnetDetails(subnet, ref.arn) } : {}) });
    }
    case 'AwsEc2RouteTable': {
      const table = ctx.vpc?.(region)?.routeTables[ref.id];
      return located(ctx, region, { Type: ref.type, Id: id, ...(table ? { Details: routeTableDetails(table) } : {}) });
    }
    case 'AwsEc2NetworkAcl': {
      const acl = ctx.vpc?.(region)?.networkAcls[ref.id];
      return located(ctx, region, { Type: ref.type, Id: id, ...(acl ? { Details: networkAclDetails(acl) } : {}) });
    }
    case 'AwsAccount':
      return located(ctx, region, { Type: 'AwsAccount', Id: ref.arn ?? `AWS::::Account:${ref.id}` });
    case 'AwsIamInstanceProfile':
      return located(ctx, region, {
        Type: 'Other',
        Id: id,
        Details: { Other: otherDetails({ ResourceType: 'AWS::IAM::InstanceProfile', Name: ref.id }) },
      });
    case 'Other':
      return located(ctx, region, { Type: 'Other', Id: id });
  }
}

/**
 * The primary resource first, then each involved resource once, at most 32 in all; the ids of
 * the ones that do not fit are returned so the description can name them.
 */
function involvedResources(ctx: FindingContext, region: string, primary: Resource, refs: readonly ResourceRef[]): { resources: Resource[]; overflow: string[] } {
  const resources = [primary];
  const seen = new Set([`${primary.Type}\u0000${primary.Id}`]);
  const overflow: string[] = [];
  for (const ref of refs) {
    const resource = refResource(ctx, region, ref);
    const key = `${resource.Type}\u0000${resource.Id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (resources.length < LIMITS.resources) resources.push(resource);
    else overflow.push(ref.id);
  }
  return { resources, overflow };
}

/** Description = body (truncated first) + a note that must survive truncation. */
function describe(body: string, note?: string): string {
  if (!note) return truncate(nonEmpty(body, '(no details)'), LIMITS.description);
  const tail = truncate(note, 400);
  const room = LIMITS.description - tail.length - 2;
  return `${truncate(nonEmpty(body, '(no details)'), room)}\n\n${tail}`;
}

function overflowNote(overflow: readonly string[]): string | undefined {
  if (overflow.length === 0) return undefined;
  return `${overflow.length} more resource(s) involved, not listed under Resources: ${overflow.join(', ')}`;
}

function productFields(values: Record<string, string | null | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) {
    if (v !== undefined && v !== null && /\S/.test(v)) out[truncate(k, LIMITS.productFieldKey)] = truncate(v, LIMITS.productFieldValue);
  }
  return out;
}

function sourceUrl(ctx: FindingContext, region: string, clusterId: string | null): string | undefined {
  if (clusterId === null || ctx.partition !== 'aws') return undefined;
  return `https://${region}.console.aws.amazon.com/emr/home?region=${region}#/clusterDetails/${clusterId}`;
}

// ---------------------------------------------------------------- findings

interface FindingShape {
  region: string;
  checkId: string;
  resourceId: string;
  clusterId: string | null;
  clusterName: string | null;
  title: string;
  description: string;
  severity: Severity;
  types: string[];
  remediation: { text: string; url: string };
  compliance: ComplianceStatus;
  /** The check's compliance mapping (none for evaluation gaps). */
  mapping?: readonly ComplianceRef[];
  resources: Resource[];
  extraFields?: Record<string, string>;
  /** The reachable paths (most exposed first): the first becomes Network and NetworkPath. */
  network?: readonly NetworkPath[];
}

/**
 * `Compliance`: our status, plus the frameworks' requirements the check relates to and the
 * Security Hub standards they belong to. Only the status of a stored finding is carried into an
 * archive record (stored-finding.ts), so an archived finding keeps its status but not its mapping.
 */
function complianceOf(status: ComplianceStatus, mapping: readonly ComplianceRef[] = []): AwsSecurityFinding['Compliance'] {
  const related = relatedRequirements(mapping).filter((r) => /\S/.test(r)).slice(0, LIMITS.relatedRequirements);
  const standards = associatedStandards(mapping);
  return {
    Status: status,
    ...(related.length > 0 ? { RelatedRequirements: related } : {}),
    ...(standards.length > 0 ? { AssociatedStandards: standards.map((StandardsId) => ({ StandardsId })) } : {}),
  };
}

function controlsField(mapping: readonly ComplianceRef[] = []): Record<string, string> {
  const controls = [...new Set(mapping.map((r) => r.source).filter((s) => s !== 'ours'))];
  return controls.length > 0 ? { [FIELD.securityHubControls]: controls.join(',') } : {};
}

/** A brand-new finding: CreatedAt = UpdatedAt = the run; first and last observation = the data's collection. */
function assemble(ctx: FindingContext, shape: FindingShape): AwsSecurityFinding {
  const url = ctx.shared(`url\u0000${shape.region}\u0000${shape.clusterId ?? ''}`, () => sourceUrl(ctx, shape.region, shape.clusterId));
  const types = shape.types.length > 0 ? shape.types : [TYPES.bestPractices];
  return {
    SchemaVersion: SCHEMA_VERSION,
    Id: findingId(shape.region, ctx.accountId, shape.checkId, shape.resourceId),
    ProductArn: ctx.shared(`arn\u0000${shape.region}`, () => productArn(ctx.partition, shape.region, ctx.accountId)),
    ProductName: PRODUCT_NAME,
    GeneratorId: ctx.shared(`generator\u0000${shape.checkId}`, () => generatorId(shape.checkId)),
    AwsAccountId: ctx.accountId,
    CreatedAt: ctx.now,
    UpdatedAt: ctx.now,
    FirstObservedAt: ctx.observedAt,
    LastObservedAt: ctx.observedAt,
    Title: truncate(nonEmpty(shape.title, shape.checkId), LIMITS.title),
    Description: shape.description,
    FindingProviderFields: ctx.shared(`provider\u0000${shape.severity}\u0000${types.join('\u0000')}`, () => ({
      Severity: { Label: shape.severity, Original: shape.severity },
      Types: [...types],
    })),
    // A check's mapping and remediation are constants of the check: one copy per check and status.
    Compliance: ctx.shared(`compliance\u0000${shape.compliance}\u0000${shape.checkId}`, () => complianceOf(shape.compliance, shape.mapping)),
    RecordState: 'ACTIVE',
    Remediation: ctx.shared(`remediation\u0000${shape.checkId}`, () => ({
      Recommendation: { Text: truncate(nonEmpty(shape.remediation.text, 'See the linked documentation.'), LIMITS.remediationText), Url: shape.remediation.url },
    })),
    ...(url ? { SourceUrl: url } : {}),
    ProductFields: productFields({
      [FIELD.checkId]: shape.checkId,
      [FIELD.resourceId]: shape.resourceId,
      [FIELD.clusterId]: shape.clusterId,
      [FIELD.clusterName]: shape.clusterName,
      ...ctx.shared(`controls\u0000${shape.checkId}`, () => controlsField(shape.mapping)),
      ...shape.extraFields,
    }),
    Resources: shape.resources,
    ...networkFields(shape.network),
  };
}

/** `Network` and `NetworkPath` of the first (most exposed) path; the others are in the description. */
function networkFields(paths: readonly NetworkPath[] | undefined): Pick<AwsSecurityFinding, 'Network' | 'NetworkPath'> {
  const first = paths?.[0];
  if (!first) return {};
  return { Network: findingNetwork(first), NetworkPath: findingNetworkPath(first) };
}

/**
 * The finding of one result: FAILED for a FAIL, PASSED for a PASS (with `reportPassed`). The
 * cluster is Resources[0] (the account for account-level checks), then what the check named.
 */
export function resultFinding(result: Result, ctx: FindingContext, compliance: 'FAILED' | 'PASSED'): AwsSecurityFinding {
  const check = ctx.check(result.checkId);
  const primary =
    result.clusterId !== null ? clusterResource(ctx, result.region, result.clusterId, result.clusterName) : accountResource(ctx, result.region);
  const { resources, overflow } = involvedResources(ctx, result.region, primary, result.resourceDetails);
  return assemble(ctx, {
    region: result.region,
    checkId: result.checkId,
    resourceId: result.resourceId,
    clusterId: result.clusterId,
    clusterName: result.clusterName,
    title: result.title,
    description: describe(result.message, overflowNote(overflow)),
    severity: result.severity,
    types: check?.types ?? [TYPES.bestPractices],
    remediation: check?.remediation ?? { text: 'See the linked documentation.', url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-security.html' },
    compliance,
    ...(check?.compliance ? { mapping: check.compliance } : {}),
    resources,
    ...(result.network && result.network.length > 0 ? { network: result.network } : {}),
  });
}

/**
 * FAIL results sharing one finding Id (a check that reported the same resource twice) become one
 * finding: messages joined, resources united, the highest severity kept.
 */
export function mergeSameFinding(results: readonly Result[]): Result {
  const [first, ...rest] = results;
  if (!first) throw new Error('mergeSameFinding needs at least one result');
  if (rest.length === 0) return first;
  const severity = results.reduce<Severity>((s, r) => (SEVERITIES.indexOf(r.severity) > SEVERITIES.indexOf(s) ? r.severity : s), first.severity);
  return {
    ...first,
    severity,
    message: results.map((r) => r.message).join(' | '),
    resources: [...new Set(results.flatMap((r) => r.resources))],
    resourceDetails: results.flatMap((r) => r.resourceDetails),
    ...(results.some((r) => r.network) ? { network: results.flatMap((r) => r.network ?? []) } : {}),
  };
}

// ---------------------------------------------------------------- evaluation gaps

export interface GapCheck {
  checkId: string;
  reason: string;
}

/** A cluster (or a region, for account-level failures) some checks could not evaluate. */
export interface EvaluationGap {
  region: string;
  /** Null for a region-level gap. */
  clusterId: string | null;
  clusterName: string | null;
  checks: GapCheck[];
}

/** The resource an evaluation gap is about: the cluster id, or the region. */
export function gapResourceId(gap: Pick<EvaluationGap, 'region' | 'clusterId'>): string {
  return gap.clusterId ?? gap.region;
}

/** One gap per cluster with ERROR results, and one per region for results without a cluster. */
export function collectGaps(results: readonly Result[]): EvaluationGap[] {
  const gaps = new Map<string, EvaluationGap>();
  for (const r of results) {
    if (r.status !== 'ERROR') continue;
    const key = `${r.region}\u0000${r.clusterId ?? ''}`;
    let gap = gaps.get(key);
    if (!gap) {
      gap = { region: r.region, clusterId: r.clusterId, clusterName: r.clusterName, checks: [] };
      gaps.set(key, gap);
    }
    if (!gap.checks.some((c) => c.checkId === r.checkId && c.reason === r.message)) gap.checks.push({ checkId: r.checkId, reason: r.message });
  }
  return [...gaps.values()];
}

/** Checks grouped by reason, so twenty checks denied by one missing permission read as one line. */
function gapLines(checks: readonly GapCheck[]): string[] {
  const byReason = new Map<string, string[]>();
  for (const c of checks) {
    const ids = byReason.get(c.reason) ?? [];
    if (!ids.includes(c.checkId)) ids.push(c.checkId);
    byReason.set(c.reason, ids);
  }
  return [...byReason.entries()].map(([reason, ids]) => `- ${ids.join(', ')}: ${reason}`);
}

export function gapCheckIds(gap: EvaluationGap): string[] {
  return [...new Set(gap.checks.map((c) => c.checkId))];
}

export function gapFinding(gap: EvaluationGap, ctx: FindingContext): AwsSecurityFinding {
  const ids = gapCheckIds(gap);
  const subject =
    gap.clusterId !== null ? `cluster ${gap.clusterName ?? gap.clusterId} (${gap.clusterId})` : `region ${gap.region} (account-level checks and cluster listing)`;
  const primary = gap.clusterId !== null ? clusterResource(ctx, gap.region, gap.clusterId, gap.clusterName) : accountResource(ctx, gap.region);
  const body = [
    `emr-audit could not evaluate ${ids.length} check(s) on ${subject}. Their existing findings are left unchanged until a run evaluates them.`,
    ...gapLines(gap.checks),
  ].join('\n');
  return assemble(ctx, {
    region: gap.region,
    checkId: GAP_CHECK_ID,
    resourceId: gapResourceId(gap),
    clusterId: gap.clusterId,
    clusterName: gap.clusterName,
    title: `Audit incomplete: ${ids.length} check(s) could not be evaluated on ${subject}`,
    description: describe(body),
    severity: 'INFORMATIONAL',
    types: [TYPES.bestPractices],
    remediation: GAP_REMEDIATION,
    compliance: 'WARNING',
    resources: [primary],
    extraFields: { [FIELD.incompleteChecks]: ids.join(',') },
  });
}

// ---------------------------------------------------------------- suppression

/** A cluster with suppressed results: what is suppressed, and by what (CHECKS.md "Suppression"). */
export interface ClusterSuppressions {
  region: string;
  clusterId: string;
  clusterName: string | null;
  checks: Array<{ checkId: string; originalStatus: string; source: string }>;
}

/** One entry per cluster with SUPPRESSED results, each check once. */
export function collectSuppressions(results: readonly Result[]): ClusterSuppressions[] {
  const byCluster = new Map<string, ClusterSuppressions>();
  for (const r of results) {
    if (r.status !== 'SUPPRESSED' || r.clusterId === null) continue;
    const key = `${r.region}\u0000${r.clusterId}`;
    let entry = byCluster.get(key);
    if (!entry) {
      entry = { region: r.region, clusterId: r.clusterId, clusterName: r.clusterName, checks: [] };
      byCluster.set(key, entry);
    }
    if (!entry.checks.some((c) => c.checkId === r.checkId)) {
      entry.checks.push({ checkId: r.checkId, originalStatus: r.originalStatus ?? 'FAIL', source: r.suppressedBy ?? 'suppressed' });
    }
  }
  return [...byCluster.values()];
}

const SUPPRESSED_REMEDIATION = {
  text: 'Review each suppression: remove the emr-audit:suppress tag or the EMR_AUDIT_SUPPRESSIONS rule once the exception is no longer justified, or set EMR_AUDIT_SUPPRESSION_TAGS=false so cluster tags cannot silence findings. This finding is archived once nothing on the cluster is suppressed.',
  url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-plan-tags.html',
};

/**
 * The visible trace of a suppression: INFORMATIONAL, Compliance WARNING, naming every suppressed
 * check and its source, so silencing a cluster's findings never makes the cluster disappear.
 */
export function suppressionFinding(s: ClusterSuppressions, ctx: FindingContext): AwsSecurityFinding {
  const ids = s.checks.map((c) => c.checkId);
  const subject = `cluster ${s.clusterName ?? s.clusterId} (${s.clusterId})`;
  const bySource = new Map<string, string[]>();
  for (const c of s.checks) bySource.set(c.source, [...(bySource.get(c.source) ?? []), `${c.checkId} (${c.originalStatus})`]);
  const body = [
    `${ids.length} check(s) on ${subject} have suppressed results: they are not reported as findings.`,
    ...[...bySource.entries()].map(([source, checks]) => `- ${checks.join(', ')}: by ${source}`),
  ].join('\n');
  return assemble(ctx, {
    region: s.region,
    checkId: SUPPRESSED_CHECK_ID,
    resourceId: s.clusterId,
    clusterId: s.clusterId,
    clusterName: s.clusterName,
    title: `Suppressed: ${ids.length} check(s) on ${subject}`,
    description: describe(body),
    severity: 'INFORMATIONAL',
    types: [TYPES.bestPractices],
    remediation: SUPPRESSED_REMEDIATION,
    compliance: 'WARNING',
    resources: [clusterResource(ctx, s.region, s.clusterId, s.clusterName)],
    extraFields: { [FIELD.suppressedChecks]: ids.join(',') },
  });
}

// ---------------------------------------------------------------- the CLI's view

/**
 * The findings `--publish` would import for these results (current FAILs, evaluation gaps and
 * suppressions), as new findings: the synchroniser keeps CreatedAt of the ones Security Hub already
 * has. Built one at a time as they are asked for (again on every pass).
 */
function findingsOf(results: readonly Result[], snapshot: Snapshot, now: Date, checks: readonly Check[]): Iterable<AwsSecurityFinding> {
  const ctx = findingContext(snapshot, now, checks);
  return {
    *[Symbol.iterator]() {
      yield* eachFailFinding(results, ctx);
      for (const gap of collectGaps(results)) yield gapFinding(gap, ctx);
      for (const x of collectSuppressions(results)) yield suppressionFinding(x, ctx);
    },
  };
}

export function buildFindings(results: readonly Result[], snapshot: Snapshot, now: Date, checks: readonly Check[] = CHECKS): AwsSecurityFinding[] {
  return [...findingsOf(results, snapshot, now, checks)];
}

/** The same findings as a JSON array in chunks, each built and serialised as it is written. */
export function findingChunks(results: readonly Result[], snapshot: Snapshot, now: Date, checks: readonly Check[] = CHECKS): Iterable<string> {
  return jsonChunks(new LazyList(findingsOf(results, snapshot, now, checks)));
}

/** One FAILED finding per distinct finding Id among the FAIL results. */
export function failFindings(results: readonly Result[], ctx: FindingContext): AwsSecurityFinding[] {
  return [...eachFailFinding(results, ctx)];
}

function* eachFailFinding(results: readonly Result[], ctx: FindingContext): Generator<AwsSecurityFinding> {
  for (const group of groupById(results.filter((r) => r.status === 'FAIL'), ctx)) yield resultFinding(mergeSameFinding(group), ctx, 'FAILED');
}

export function groupById(results: readonly Result[], ctx: Pick<FindingContext, 'accountId'>): Result[][] {
  return [...groupBy(results, (r) => findingId(r.region, ctx.accountId, r.checkId, r.resourceId)).values()];
}
