/**
 * `--format sarif`: SARIF 2.1.0 (OASIS), the format code-scanning dashboards read (GitHub code
 * scanning, Azure DevOps, SonarQube…). One rule per check, with its remediation as help text and a
 * `security-severity` score; one result per FAIL. A finding here is about a cloud resource, not a
 * source file: results are located by logical locations (the account/region/cluster and the
 * resources involved). GitHub code scanning rejects a result without a physical location whose
 * artifact URI is a relative path, so each result also names `aws/<account>/<region>/<cluster>`
 * as its artifact: a stable pseudo-path, not a file. Pure: a function of the ReportInput.
 */
import type { CheckMeta, Result, Severity } from '../../checks/contract.js';
import { controlsFor } from '../compliance.js';
import { findingId } from './asff.js';
import type { ReportInput } from './report-input.js';

export const SARIF_VERSION = '2.1.0';
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/**
 * `properties.security-severity`, as GitHub code scanning reads it (a CVSS-like number as a
 * string: ≥ 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low, 0 none).
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

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: 'error' | 'warning' | 'note';
  message: SarifMessage;
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string } }; logicalLocations: LogicalLocation[] }>;
  partialFingerprints: Record<string, string>;
  properties: Record<string, unknown>;
}

export interface SarifLog {
  $schema: string;
  version: typeof SARIF_VERSION;
  runs: Array<{
    tool: { driver: { name: string; version: string; semanticVersion?: string; informationUri?: string; rules: SarifRule[] } };
    invocations: Array<{ executionSuccessful: boolean; startTimeUtc: string }>;
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

function rule(check: CheckMeta): SarifRule {
  const controls = controlsFor(check.id);
  const frameworks = [...new Set((check.compliance ?? []).map((r) => r.framework))];
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
      'security-severity': SECURITY_SEVERITY[check.severity],
      // "security" makes GitHub list these under security alerts; the rest lets users filter.
      tags: ['security', check.id.split('/')[0]!, ...controls, ...frameworks],
      precision: 'high',
      'problem.severity': SARIF_LEVEL[check.severity] === 'note' ? 'recommendation' : SARIF_LEVEL[check.severity],
    },
  };
}

function locations(r: Result): LogicalLocation[] {
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

export function buildSarif(input: ReportInput, options: SarifOptions = {}): SarifLog {
  const rules = input.checks.map(rule);
  const ruleIndex = new Map(input.checks.map((c, i) => [c.id, i]));
  const results: SarifResult[] = [];
  for (const r of input.results) {
    if (r.status !== 'FAIL') continue;
    const index = ruleIndex.get(r.checkId);
    if (index === undefined) continue; // a result of a check not in the input's registry has no rule to point at
    results.push({
      ruleId: r.checkId,
      ruleIndex: index,
      level: SARIF_LEVEL[r.severity],
      message: { text: r.message },
      locations: [{ physicalLocation: { artifactLocation: { uri: artifactPath(r) } }, logicalLocations: locations(r) }],
      // The Security Hub finding Id: stable across runs, so dashboards track one alert per problem.
      partialFingerprints: { 'emrAuditFindingId/v1': findingId(r.region, r.accountId, r.checkId, r.resourceId) },
      properties: {
        severity: r.severity,
        'security-severity': SECURITY_SEVERITY[r.severity],
        accountId: r.accountId,
        region: r.region,
        clusterId: r.clusterId,
        clusterName: r.clusterName,
        resources: r.resources,
      },
    });
  }
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
        invocations: [{ executionSuccessful: true, startTimeUtc: input.startedAt.toISOString() }],
        results,
        properties: { accountId: input.snapshot.accountId, regions: input.snapshot.regions.map((r) => r.region), collectedAt: input.snapshot.collectedAt },
      },
    ],
  };
}

export function renderSarif(input: ReportInput, options: SarifOptions = {}): string {
  return `${JSON.stringify(buildSarif(input, options), null, 2)}\n`;
}
