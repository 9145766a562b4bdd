/**
 * `--format ocsf`: one OCSF 1.x event per result (PASS, FAIL, NOT_APPLICABLE, ERROR, SUPPRESSED),
 * as a JSON array, for Amazon Security Lake custom sources and other OCSF data lakes.
 *
 * Class: Detection Finding (class_uid 2004, category Findings). It is what Prowler writes for its
 * configuration checks (`prowler/lib/outputs/ocsf/ocsf.py`), so tooling built for Prowler's OCSF
 * reads ours; Compliance Finding (2003) would require a `compliance.standards` object for every
 * event, which our own-mapped checks could only fill with our judgement. The check's mapping goes
 * under `unmapped.compliance`, as Prowler does. The `cloud` profile applies (AWS account, region).
 *
 * Pure: a function of the ReportInput (the event time is the run's start, never the clock).
 */
import type { CheckMeta, Result, Severity, Status } from '../../checks/contract.js';
import { complianceFor } from '../compliance.js';
import { clusterArn, findingContext, findingId } from './asff.js';
import type { ReportInput } from './report-input.js';

/** The OCSF schema version the events follow. */
export const OCSF_VERSION = '1.3.0';
export const DETECTION_FINDING = { class_uid: 2004, class_name: 'Detection Finding', category_uid: 2, category_name: 'Findings' } as const;
/** activity_id 1 (Create): each run reports its results afresh. */
const ACTIVITY = { activity_id: 1, activity_name: 'Create' } as const;

/** OCSF severity_id: 1 Informational … 5 Critical. */
export const OCSF_SEVERITY: Readonly<Record<Severity, { id: number; name: string }>> = {
  INFORMATIONAL: { id: 1, name: 'Informational' },
  LOW: { id: 2, name: 'Low' },
  MEDIUM: { id: 3, name: 'Medium' },
  HIGH: { id: 4, name: 'High' },
  CRITICAL: { id: 5, name: 'Critical' },
};

/**
 * Finding status_id (the triage lifecycle): every result is New, except a suppressed one
 * (3 Suppressed). Our own status travels in `status_code`, as Prowler puts PASS/FAIL there.
 */
function findingStatus(status: Status): { id: number; name: string } {
  return status === 'SUPPRESSED' ? { id: 3, name: 'Suppressed' } : { id: 1, name: 'New' };
}

/** confidence_id: a configuration read is certain (3 High); an ERROR result knows nothing (0 Unknown). */
function confidence(r: Result): { id: number; name: string } {
  const status = r.status === 'SUPPRESSED' ? r.originalStatus : r.status;
  return status === 'ERROR' ? { id: 0, name: 'Unknown' } : { id: 3, name: 'High' };
}

interface OcsfResource {
  uid: string;
  name: string;
  type: string;
  region: string;
  cloud_partition: string;
}

export interface OcsfEvent {
  class_uid: number;
  class_name: string;
  category_uid: number;
  category_name: string;
  activity_id: number;
  activity_name: string;
  type_uid: number;
  type_name: string;
  time: number;
  timezone_offset: number;
  severity_id: number;
  severity: string;
  status_id: number;
  status: string;
  status_code: Status;
  status_detail: string;
  confidence_id: number;
  confidence: string;
  message: string;
  metadata: {
    version: string;
    product: { name: string; vendor_name: string; uid: string; version: string };
    profiles: string[];
    event_code: string;
    uid: string;
  };
  finding_info: { uid: string; title: string; desc: string; types: string[]; created_time: number; product_uid: string };
  cloud: { provider: 'AWS'; region: string; account: { uid: string; type_id: number; type: string } };
  resources: OcsfResource[];
  observables: Array<{ name: string; type_id: number; type: string; value: string }>;
  evidences: Array<{ data: Record<string, unknown> }>;
  remediation?: { desc: string; references: string[] };
  unmapped: Record<string, unknown>;
}

function resourcesOf(r: Result, input: ReportInput, ctx: ReturnType<typeof findingContext>): OcsfResource[] {
  const partition = input.snapshot.partition;
  const primary: OcsfResource =
    r.clusterId !== null
      ? {
          uid: ctx.cluster(r.region, r.clusterId)?.arn ?? clusterArn(ctx, r.region, r.clusterId),
          name: r.clusterName ?? r.clusterId,
          type: 'AWS::EMR::Cluster',
          region: r.region,
          cloud_partition: partition,
        }
      : { uid: `AWS::::Account:${r.accountId}`, name: r.accountId, type: 'AWS::::Account', region: r.region, cloud_partition: partition };
  const seen = new Set([primary.uid]);
  const out = [primary];
  for (const ref of r.resourceDetails) {
    const uid = ref.arn ?? ref.id;
    if (seen.has(uid)) continue;
    seen.add(uid);
    out.push({ uid, name: ref.id, type: ref.type, region: r.region, cloud_partition: partition });
  }
  return out;
}

function event(r: Result, check: CheckMeta | undefined, input: ReportInput, ctx: ReturnType<typeof findingContext>): OcsfEvent {
  const time = input.startedAt.getTime();
  const uid = findingId(r.region, r.accountId, r.checkId, r.resourceId);
  const severity = OCSF_SEVERITY[r.severity];
  const status = findingStatus(r.status);
  const conf = confidence(r);
  const resources = resourcesOf(r, input, ctx);
  return {
    ...DETECTION_FINDING,
    ...ACTIVITY,
    type_uid: DETECTION_FINDING.class_uid * 100 + ACTIVITY.activity_id,
    type_name: `${DETECTION_FINDING.class_name}: ${ACTIVITY.activity_name}`,
    time,
    timezone_offset: 0,
    severity_id: severity.id,
    severity: severity.name,
    status_id: status.id,
    status: status.name,
    status_code: r.status,
    status_detail: r.message,
    confidence_id: conf.id,
    confidence: conf.name,
    message: r.message,
    metadata: {
      version: OCSF_VERSION,
      product: { name: 'emr-audit', vendor_name: 'emr-audit', uid: 'emr-audit', version: input.toolVersion },
      profiles: ['cloud'],
      event_code: r.checkId,
      uid: `${uid}@${input.startedAt.toISOString()}`,
    },
    finding_info: {
      // The Security Hub finding Id: the same problem keeps the same uid across runs.
      uid,
      title: r.title,
      desc: check?.description ?? r.title,
      types: check?.types ?? [],
      created_time: time,
      product_uid: 'emr-audit',
    },
    cloud: { provider: 'AWS', region: r.region, account: { uid: r.accountId, type_id: 10, type: 'AWS Account' } },
    resources,
    // type_id 10: Resource UID.
    observables: resources.map((res, i) => ({ name: `resources[${i}].uid`, type_id: 10, type: 'Resource UID', value: res.uid })),
    evidences: [{ data: { check_id: r.checkId, resource_id: r.resourceId, message: r.message, resources: r.resources } }],
    ...(check ? { remediation: { desc: check.remediation.text, references: [check.remediation.url] } } : {}),
    unmapped: {
      check_id: r.checkId,
      cluster_id: r.clusterId,
      cluster_name: r.clusterName,
      compliance: check?.compliance ?? complianceFor(r.checkId),
      ...(r.originalStatus ? { original_status: r.originalStatus } : {}),
      ...(r.suppressedBy ? { suppressed_by: r.suppressedBy } : {}),
    },
  };
}

export function buildOcsf(input: ReportInput): OcsfEvent[] {
  const ctx = findingContext(input.snapshot, input.startedAt);
  const checks = new Map(input.checks.map((c) => [c.id, c]));
  return input.results.map((r) => event(r, checks.get(r.checkId), input, ctx));
}

export function renderOcsf(input: ReportInput): string {
  return `${JSON.stringify(buildOcsf(input), null, 2)}\n`;
}
