/**
 * `--format ocsf`: one OCSF 1.6 event per result (PASS, FAIL, NOT_APPLICABLE, ERROR, SUPPRESSED),
 * as a JSON array, for Amazon Security Lake custom sources, SIEMs and other OCSF data lakes.
 *
 * Class: Compliance Finding (class_uid 2003, category Findings), as Security Hub itself delivers
 * its control findings in OCSF (Security Hub speaks OCSF 1.6; AWS Security Hub User Guide,
 * "Security Hub and the Open Cybersecurity Schema Framework", securityhub-ocsf.html, and "OCSF
 * findings in Security Hub", ocsf-findings.html). A configuration check is a compliance
 * evaluation: its verdict goes in `compliance.status`, and the finding's own `status` is the
 * triage state, so a SIEM rule on `severity_id` and `status_id` fires on open problems only:
 *
 * | result          | compliance.status | finding status | activity | severity            |
 * |-----------------|-------------------|----------------|----------|---------------------|
 * | FAIL            | Fail (3)          | New (1)        | Create   | the result's        |
 * | PASS            | Pass (1)          | Resolved (4)   | Close    | Informational       |
 * | NOT_APPLICABLE  | Other (99)        | Archived (5)   | Close    | Informational       |
 * | ERROR           | Warning (2)       | New (1)        | Create   | Informational       |
 * | SUPPRESSED      | as the original   | Suppressed (3) | as the original | as the original |
 *
 * This follows Security Hub's control findings: a PASSED control finding is INFORMATIONAL and
 * RESOLVED, a NOT_APPLICABLE one is archived, and a finding whose activity is Close is a closed
 * finding. An ERROR is New (someone must restore the access: fail closed) but says nothing about
 * the risk, hence Informational at confidence Unknown; OCSF defines compliance Warning as "did not
 * yield a result due to missing information". The check's own severity stays in
 * `unmapped.check_severity`, our status in `status_code`.
 *
 * Times: `time`, `finding_info.first_seen_time` and `last_seen_time` are when the data was
 * collected (the snapshot's `collectedAt`: for `--demo`/`--snapshot`, the snapshot's date);
 * `finding_info.created_time` and `modified_time` are when emr-audit wrote the event (the run).
 * Pure: a function of the ReportInput.
 */
import type { CheckMeta, Result, Severity, Status } from '../../checks/contract.js';
import { complianceFor, type ComplianceRef, type Framework } from '../compliance.js';
import { clusterArn, findingContext, findingId } from './asff.js';
import type { ReportInput } from './report-input.js';
import { jsonChunks, LazyList, mapLazily, wholeText } from './json-chunks.js';

/** The OCSF schema version the events follow. */
export const OCSF_VERSION = '1.6.0';
export const COMPLIANCE_FINDING = { class_uid: 2003, class_name: 'Compliance Finding', category_uid: 2, category_name: 'Findings' } as const;

interface Enum {
  id: number;
  name: string;
}

/** OCSF severity_id: 1 Informational … 5 Critical. */
export const OCSF_SEVERITY: Readonly<Record<Severity, Enum>> = {
  INFORMATIONAL: { id: 1, name: 'Informational' },
  LOW: { id: 2, name: 'Low' },
  MEDIUM: { id: 3, name: 'Medium' },
  HIGH: { id: 4, name: 'High' },
  CRITICAL: { id: 5, name: 'Critical' },
};

const ACTIVITY = { create: { id: 1, name: 'Create' }, close: { id: 3, name: 'Close' } } as const;
const FINDING_STATUS = { new: { id: 1, name: 'New' }, suppressed: { id: 3, name: 'Suppressed' }, resolved: { id: 4, name: 'Resolved' }, archived: { id: 5, name: 'Archived' } } as const;

interface Mapping {
  compliance: Enum;
  status: Enum;
  activity: Enum;
  /** Undefined: the result's own severity. */
  severity?: Severity;
  confidence: Enum;
}

const HIGH_CONFIDENCE = { id: 3, name: 'High' };

/** How a result of each status lands in OCSF (the table above). */
export const OCSF_MAPPING: Readonly<Record<Exclude<Status, 'SUPPRESSED'>, Mapping>> = {
  FAIL: { compliance: { id: 3, name: 'Fail' }, status: FINDING_STATUS.new, activity: ACTIVITY.create, confidence: HIGH_CONFIDENCE },
  PASS: { compliance: { id: 1, name: 'Pass' }, status: FINDING_STATUS.resolved, activity: ACTIVITY.close, severity: 'INFORMATIONAL', confidence: HIGH_CONFIDENCE },
  NOT_APPLICABLE: { compliance: { id: 99, name: 'Not Applicable' }, status: FINDING_STATUS.archived, activity: ACTIVITY.close, severity: 'INFORMATIONAL', confidence: HIGH_CONFIDENCE },
  ERROR: { compliance: { id: 2, name: 'Warning' }, status: FINDING_STATUS.new, activity: ACTIVITY.create, severity: 'INFORMATIONAL', confidence: { id: 0, name: 'Unknown' } },
};

/** The standards' names as Security Hub writes them. */
const STANDARD_NAMES: Readonly<Record<Framework, string>> = {
  'aws-fsbp': 'AWS Foundational Security Best Practices',
  cis: 'CIS AWS Foundations Benchmark',
  'nist-800-53': 'NIST SP 800-53 Rev. 5',
  'nist-800-171': 'NIST SP 800-171 Rev. 2',
  'pci-dss': 'PCI DSS',
  'mitre-attack': 'MITRE ATT&CK',
};

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
  finding_info: {
    uid: string;
    title: string;
    desc: string;
    types: string[];
    created_time: number;
    modified_time: number;
    first_seen_time: number;
    last_seen_time: number;
  };
  compliance: {
    control: string;
    standards?: string[];
    requirements?: string[];
    status_id: number;
    status: string;
    status_code: Exclude<Status, 'SUPPRESSED'>;
    status_details: string[];
  };
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

function complianceOf(r: Result, status: Exclude<Status, 'SUPPRESSED'>, mapping: Mapping, refs: readonly ComplianceRef[]): OcsfEvent['compliance'] {
  const standards = [...new Set(refs.map((ref) => STANDARD_NAMES[ref.framework]))];
  const requirements = [...new Set(refs.map((ref) => ref.id))];
  return {
    // The check is the control evaluated; the Security Hub controls it relates to are among the requirements.
    control: r.checkId,
    ...(standards.length > 0 ? { standards } : {}),
    ...(requirements.length > 0 ? { requirements } : {}),
    status_id: mapping.compliance.id,
    status: mapping.compliance.name,
    status_code: status,
    status_details: [r.message],
  };
}

function event(r: Result, check: CheckMeta | undefined, input: ReportInput, ctx: ReturnType<typeof findingContext>, observed: number): OcsfEvent {
  const generated = input.startedAt.getTime();
  const uid = findingId(r.region, r.accountId, r.checkId, r.resourceId);
  // A suppressed result keeps what its original status says; only its triage state differs.
  const original = r.status === 'SUPPRESSED' ? (r.originalStatus ?? 'FAIL') : r.status;
  const mapping = OCSF_MAPPING[original];
  const severity = OCSF_SEVERITY[mapping.severity ?? r.severity];
  const status = r.status === 'SUPPRESSED' ? FINDING_STATUS.suppressed : mapping.status;
  const refs = check?.compliance ?? complianceFor(r.checkId);
  const resources = resourcesOf(r, input, ctx);
  return {
    ...COMPLIANCE_FINDING,
    activity_id: mapping.activity.id,
    activity_name: mapping.activity.name,
    type_uid: COMPLIANCE_FINDING.class_uid * 100 + mapping.activity.id,
    type_name: `${COMPLIANCE_FINDING.class_name}: ${mapping.activity.name}`,
    time: observed,
    timezone_offset: 0,
    severity_id: severity.id,
    severity: severity.name,
    status_id: status.id,
    status: status.name,
    status_code: r.status,
    status_detail: r.suppressedBy ? `${r.message} (suppressed: ${r.suppressedBy})` : r.message,
    confidence_id: mapping.confidence.id,
    confidence: mapping.confidence.name,
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
      created_time: generated,
      modified_time: generated,
      first_seen_time: observed,
      last_seen_time: observed,
    },
    compliance: complianceOf(r, original, mapping, refs),
    cloud: { provider: 'AWS', region: r.region, account: { uid: r.accountId, type_id: 10, type: 'AWS Account' } },
    resources,
    // type_id 10: Resource UID (no length limit in OCSF 1.6's dictionary; 1.3 had 64).
    observables: resources.map((res, i) => ({ name: `resources[${i}].uid`, type_id: 10, type: 'Resource UID', value: res.uid })),
    evidences: [{ data: { check_id: r.checkId, resource_id: r.resourceId, message: r.message, resources: r.resources } }],
    ...(check ? { remediation: { desc: check.remediation.text, references: [check.remediation.url] } } : {}),
    unmapped: {
      check_id: r.checkId,
      check_severity: r.severity,
      cluster_id: r.clusterId,
      cluster_name: r.clusterName,
      compliance: refs,
      ...(r.originalStatus ? { original_status: r.originalStatus } : {}),
      ...(r.suppressedBy ? { suppressed_by: r.suppressedBy } : {}),
    },
  };
}

/** The event of each result, built as asked for. */
function ocsfEvents(input: ReportInput): Iterable<OcsfEvent> {
  const ctx = findingContext(input.snapshot, input.startedAt);
  const checks = new Map(input.checks.map((c) => [c.id, c]));
  const collected = Date.parse(input.snapshot.collectedAt);
  // A snapshot's collectedAt is validated as a string only: an unreadable one falls back to the run.
  const observed = Number.isNaN(collected) ? input.startedAt.getTime() : collected;
  return mapLazily(input.results, (r) => event(r, checks.get(r.checkId), input, ctx, observed));
}

export function buildOcsf(input: ReportInput): OcsfEvent[] {
  return [...ocsfEvents(input)];
}

/** The JSON array of events in chunks, each event built and serialised as it is written. */
export function ocsfChunks(input: ReportInput): Iterable<string> {
  return jsonChunks(new LazyList(ocsfEvents(input)));
}

export function renderOcsf(input: ReportInput): string {
  return wholeText(ocsfChunks(input));
}
