/**
 * `--format sarif`: SARIF 2.1.0 (OASIS), the format code-scanning dashboards read (GitHub code
 * scanning, Azure DevOps, SonarQube…). One rule per check, with its remediation as help text and a
 * `security-severity` score (the highest severity the check can emit: GitHub scores alerts by the
 * rule, not the result). One result per FAIL, and one per suppressed FAIL carrying SARIF
 * `suppressions` (so dashboards show it as dismissed, not absent). An ERROR is not a result but a
 * tool execution notification naming the check, the cluster and the failed call, and the
 * invocation then says `executionSuccessful: false`: a CI gate reading SARIF must not take an
 * audit that could not see for a clean one.
 *
 * A finding here is about a cloud resource, not a source file: results are located by logical
 * locations (the account/region/cluster and the resources involved). GitHub code scanning rejects
 * a result without a physical location whose artifact URI is a relative path, so each result also
 * names `aws/<account>/<region>/<cluster>` as its artifact: a stable pseudo-path, not a file.
 *
 * Times: the invocation's `startTimeUtc` is when emr-audit ran; a result's
 * `provenance.lastDetectionTimeUtc` is when its data was collected (the snapshot's `collectedAt`,
 * which for `--demo`/`--snapshot` is the snapshot's date). Pure: a function of the ReportInput.
 */
import type { CheckMeta, Result, Severity } from '../../checks/contract.js';
import { SEVERITIES } from '../../checks/contract.js';
import { controlsFor } from '../compliance.js';
import { findingId } from './asff.js';
import type { ReportInput } from './report-input.js';
import { jsonChunks, LazyList, wholeText } from './json-chunks.js';

export const SARIF_VERSION = '2.1.0';
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/**
 * `properties.security-severity`, as GitHub code scanning reads it (a CVSS-like number as a
 * string: over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low, 0 none).
 */
export const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
  CRITICAL: '9.5',
  HIGH: '8.0',
  MEDIUM: '5.5',
  LOW: '3.0',
  INFORMATIONAL: '0.0',
};

/** SARIF `level`: error for what must be fixed now, warning for MEDIUM, note below. */
export const SARIF_LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = {
  CRITICAL: 'error',
  HIGH: 'error',
  MEDIUM: 'warning',
  LOW: 'note',
  INFORMATIONAL: 'note',
};

/**
 * GitHub code scanning's upload limits (docs.github.com, "SARIF results exceed limits"): a run
 * with more results or rules is rejected, a rule with more tags is rejected, and only the first
 * 100 locations of a result are shown.
 */
export const GITHUB_LIMITS = { resultsPerRun: 25_000, rulesPerRun: 25_000, tagsPerRule: 20, locationsPerResult: 1_000, shownLocations: 100 } as const;

export interface SarifOptions {
  /** `tool.driver.informationUri`: where users learn about emr-audit (omitted when unknown: SARIF makes it optional). */
  informationUri?: string;
}

interface SarifMessage {
  text: string;
  markdown?: string;
}

interface LogicalLocation {
  name: string;
  fullyQualifiedName: string;
  kind: string;
}

interface SarifLocation {
  physicalLocation: { artifactLocation: { uri: string } };
  logicalLocations: LogicalLocation[];
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  help: SarifMessage;
  helpUri: string;
  defaultConfiguration: { level: 'error' | 'warning' | 'note' };
  properties: { 'security-severity': string; tags: string[]; precision: 'high'; 'problem.severity': string };
}

/** SARIF §3.35: a suppression the user made outside the analysed "code" (a tag or a setting). */
interface SarifSuppression {
  kind: 'external';
  status: 'accepted';
  justification: string;
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: 'error' | 'warning' | 'note';
  message: SarifMessage;
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  provenance: { lastDetectionTimeUtc: string };
  suppressions?: SarifSuppression[];
  properties: Record<string, unknown>;
}

/** SARIF §3.58: a problem of the run itself (here: a check that could not evaluate a resource). */
export interface SarifNotification {
  level: 'error' | 'warning' | 'note';
  message: SarifMessage;
  associatedRule?: { id: string; index: number };
  locations: SarifLocation[];
  timeUtc: string;
  properties: { checkId: string; accountId: string; region: string; clusterId: string | null; failedCalls: string[]; suppressedBy?: string };
}

export interface SarifInvocation {
  executionSuccessful: boolean;
  startTimeUtc: string;
  toolExecutionNotifications: SarifNotification[];
}

export interface SarifLog {
  $schema: string;
  version: typeof SARIF_VERSION;
  runs: Array<{
    tool: { driver: { name: string; version: string; semanticVersion?: string; informationUri?: string; rules: SarifRule[] } };
    automationDetails: { id: string; description: SarifMessage };
    invocations: SarifInvocation[];
    results: SarifResult[];
    properties: Record<string, unknown>;
  }>;
}

/** `network/ssh-from-internet` → `NetworkSshFromInternet` (the rule's readable name). */
function ruleName(id: string): string {
  return id
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

/** The highest severity a check can emit: GitHub shows an alert at its rule's score. */
export function highestSeverity(check: CheckMeta): Severity {
  const max = check.maxSeverity ?? check.severity;
  return SEVERITIES.indexOf(max) >= SEVERITIES.indexOf(check.severity) ? max : check.severity;
}

function rule(check: CheckMeta): SarifRule {
  const controls = controlsFor(check.id);
  const frameworks = [...new Set((check.compliance ?? []).map((r) => r.framework))];
  const severity = highestSeverity(check);
  return {
    id: check.id,
    name: ruleName(check.id),
    shortDescription: { text: check.title },
    fullDescription: { text: check.description },
    help: {
      text: `${check.remediation.text} See ${check.remediation.url}`,
      markdown: `${check.remediation.text}\n\n[AWS documentation](${check.remediation.url})`,
    },
    helpUri: check.remediation.url,
    defaultConfiguration: { level: SARIF_LEVEL[check.severity] },
    properties: {
      'security-severity': SECURITY_SEVERITY[severity],
      // "security" makes GitHub list these under security alerts; the rest lets users filter.
      // GitHub rejects a rule with more than 20 tags.
      tags: [...new Set(['security', check.id.split('/')[0]!, ...controls, ...frameworks])].slice(0, GITHUB_LIMITS.tagsPerRule),
      precision: 'high',
      'problem.severity': SARIF_LEVEL[severity] === 'note' ? 'recommendation' : SARIF_LEVEL[severity],
    },
  };
}

function logicalLocations(r: Result): LogicalLocation[] {
  const where = `${r.accountId}/${r.region}`;
  const primary: LogicalLocation =
    r.clusterId !== null
      ? { name: r.clusterName ?? r.clusterId, fullyQualifiedName: `${where}/${r.clusterId}`, kind: 'resource' }
      : { name: r.region, fullyQualifiedName: where, kind: 'namespace' };
  const seen = new Set([primary.fullyQualifiedName]);
  const involved: LogicalLocation[] = [];
  for (const ref of r.resourceDetails) {
    const fqn = ref.arn ?? `${primary.fullyQualifiedName}/${ref.id}`;
    if (seen.has(fqn)) continue;
    seen.add(fqn);
    involved.push({ name: ref.id, fullyQualifiedName: fqn, kind: 'resource' });
  }
  return [primary, ...involved];
}

/** The pseudo-path of a result's subject, relative (as GitHub requires), URI-safe. */
export function artifactPath(r: Result): string {
  return ['aws', r.accountId, r.region, r.clusterId ?? 'account'].map(encodeURIComponent).join('/');
}

function location(r: Result): SarifLocation {
  return { physicalLocation: { artifactLocation: { uri: artifactPath(r) } }, logicalLocations: logicalLocations(r) };
}

/**
 * `automationDetails.id`: GitHub keeps one set of alerts per category (the id up to its last
 * `/`), so each account and set of regions is its own category and reports of several accounts
 * uploaded to one repository do not close each other's alerts.
 */
export function automationId(accountId: string, regions: readonly string[]): string {
  const set = [...new Set(regions)].sort();
  return `emr-audit/${accountId}/${set.length > 0 ? set.join(',') : 'no-region'}/`;
}

/** The AWS calls an ERROR message names (`iam:GetRolePolicy`), in order, once each. */
export function failedCalls(message: string): string[] {
  return [...new Set(message.match(/\b[a-z][a-z0-9-]*:[A-Z][A-Za-z0-9]+\b/g) ?? [])];
}

function notification(r: Result, index: number | undefined, at: string): SarifNotification {
  const subject = r.clusterId !== null ? `cluster ${r.clusterId}${r.clusterName ? ` (${r.clusterName})` : ''}` : `account ${r.accountId}`;
  const suppressed = r.status === 'SUPPRESSED';
  return {
    // A suppressed ERROR stays visible, but the user accepted it: it does not fail the run.
    level: suppressed ? 'note' : 'error',
    message: { text: `${r.checkId} could not evaluate ${subject} in ${r.region}: ${r.message}${suppressed && r.suppressedBy ? ` (suppressed: ${r.suppressedBy})` : ''}` },
    ...(index !== undefined ? { associatedRule: { id: r.checkId, index } } : {}),
    locations: [location(r)],
    timeUtc: at,
    properties: {
      checkId: r.checkId,
      accountId: r.accountId,
      region: r.region,
      clusterId: r.clusterId,
      failedCalls: failedCalls(r.message),
      ...(suppressed && r.suppressedBy ? { suppressedBy: r.suppressedBy } : {}),
    },
  };
}

function result(r: Result, index: number, observedAt: string): SarifResult {
  const suppressed = r.status === 'SUPPRESSED';
  return {
    ruleId: r.checkId,
    ruleIndex: index,
    level: SARIF_LEVEL[r.severity],
    message: { text: r.message },
    locations: [location(r)],
    // The Security Hub finding Id: stable across runs, so dashboards track one alert per problem.
    partialFingerprints: { 'emrAuditFindingId/v1': findingId(r.region, r.accountId, r.checkId, r.resourceId) },
    provenance: { lastDetectionTimeUtc: observedAt },
    ...(suppressed ? { suppressions: [{ kind: 'external' as const, status: 'accepted' as const, justification: r.suppressedBy ?? 'suppressed' }] } : {}),
    properties: {
      severity: r.severity,
      'security-severity': SECURITY_SEVERITY[r.severity],
      accountId: r.accountId,
      region: r.region,
      clusterId: r.clusterId,
      clusterName: r.clusterName,
      resources: r.resources,
      ...(suppressed ? { suppressedBy: r.suppressedBy ?? null } : {}),
    },
  };
}

/** The ISO time of a collectedAt, normalised (SARIF's dates are `date-time` with a `Z`). */
function isoTime(value: string): string {
  const t = Date.parse(value);
  return Number.isNaN(t) ? value : new Date(t).toISOString();
}

/** The statuses a result counts as: a suppressed one as what it was. */
const effectiveStatus = (r: Result) => (r.status === 'SUPPRESSED' ? r.originalStatus : r.status);

type SarifShape<R> = Omit<SarifLog, 'runs'> & { runs: Array<Omit<SarifLog['runs'][number], 'results'> & { results: R }> };

function sarifShape<R>(input: ReportInput, options: SarifOptions, results: (failing: Iterable<SarifResult>) => R): SarifShape<R> {
  const rules = input.checks.map(rule);
  const ruleIndex = new Map(input.checks.map((c, i) => [c.id, i]));
  const observedAt = isoTime(input.snapshot.collectedAt);
  const notifications: SarifNotification[] = [];
  for (const r of input.results) {
    if (effectiveStatus(r) === 'ERROR') notifications.push(notification(r, ruleIndex.get(r.checkId), observedAt));
  }
  const failing: Iterable<SarifResult> = {
    *[Symbol.iterator]() {
      for (const r of input.results) {
        if (effectiveStatus(r) !== 'FAIL') continue;
        const index = ruleIndex.get(r.checkId);
        if (index === undefined) continue; // a result of a check not in the input's registry has no rule to point at
        yield result(r, index, observedAt);
      }
    },
  };
  const regions = input.snapshot.regions.map((r) => r.region);
  return {
    $schema: SARIF_SCHEMA,
    version: SARIF_VERSION,
    runs: [
      {
        tool: {
          driver: {
            name: 'emr-audit',
            version: input.toolVersion,
            ...(/^\d+\.\d+\.\d+/.test(input.toolVersion) ? { semanticVersion: input.toolVersion } : {}),
            ...(options.informationUri ? { informationUri: options.informationUri } : {}),
            rules,
          },
        },
        automationDetails: {
          id: automationId(input.snapshot.accountId, regions),
          description: { text: `emr-audit of account ${input.snapshot.accountId} in ${regions.length > 0 ? [...regions].sort().join(', ') : 'no region'}` },
        },
        invocations: [
          {
            executionSuccessful: !notifications.some((n) => n.level === 'error'),
            startTimeUtc: input.startedAt.toISOString(),
            toolExecutionNotifications: notifications,
          },
        ],
        results: results(failing),
        properties: { accountId: input.snapshot.accountId, regions, collectedAt: input.snapshot.collectedAt },
      },
    ],
  };
}

export function buildSarif(input: ReportInput, options: SarifOptions = {}): SarifLog {
  return sarifShape(input, options, (failing) => [...failing]);
}

/** The SARIF log in chunks, each result built and serialised as it is written. */
export function sarifChunks(input: ReportInput, options: SarifOptions = {}): Iterable<string> {
  return jsonChunks(sarifShape(input, options, (failing) => new LazyList(failing)));
}

export function renderSarif(input: ReportInput, options: SarifOptions = {}): string {
  return wholeText(sarifChunks(input, options));
}
