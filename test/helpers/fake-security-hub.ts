/**
 * An in-memory Security Hub CSPM behind aws-sdk-client-mock, with the semantics the synchroniser
 * depends on:
 * - BatchImportFindings: ≤ 100 findings and ≤ 6 MB per call (else InvalidInputException); each
 *   finding validated (required fields, ASFF limits, reserved `aws/` ProductFields, product ARN of
 *   the caller's region and account) and rejected in FailedFindings when invalid; an update whose
 *   UpdatedAt is not later than the stored one is silently ignored; customer fields (Workflow,
 *   Note, UserDefinedFields, VerificationState, customer-set Severity/Types) survive imports.
 * - GetFindings: the string filters we use (EQUALS/PREFIX OR'd, NOT_* AND'd, attributes AND'd),
 *   at most 10 attributes × 20 values, MaxResults ≤ 100, NextToken paging.
 * - A disabled region: GetFindings throws InvalidAccessException; imports either throw it or
 *   return every finding in FailedFindings with InvalidAccess (both happen in practice).
 * - An aggregation region returns the findings of every region.
 * Failures can be injected per import call.
 */
import {
  BatchImportFindingsCommand,
  GetFindingsCommand,
  InternalException,
  InvalidAccessException,
  InvalidInputException,
  LimitExceededException,
  SecurityHubClient,
  type AwsSecurityFinding,
  type AwsSecurityFindingFilters,
  type BatchImportFindingsCommandInput,
  type BatchImportFindingsCommandOutput,
  type GetFindingsCommandInput,
  type GetFindingsCommandOutput,
  type ImportFindingsError,
  type StringFilter,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { ACCOUNT } from './fixtures.js';

type Stored = AwsSecurityFinding & { Region: string };

interface InjectedFailure {
  /** Findings to fail: these Ids, or the first `count` of the call. */
  ids?: string[];
  count?: number;
  code: string;
  message: string;
}

const SEVERITIES = new Set(['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);
const COMPLIANCE = new Set(['PASSED', 'WARNING', 'FAILED', 'NOT_AVAILABLE']);
const SUPPORTED_FILTERS = new Set(['ProductArn', 'GeneratorId', 'RecordState', 'AwsAccountId', 'Region', 'Id', 'ComplianceStatus', 'ResourceId']);
const meta = { $metadata: {} };

export type ThrownError = 'InvalidAccess' | 'InvalidInput' | 'LimitExceeded' | 'Internal';

function thrown(kind: ThrownError, message: string): Error {
  switch (kind) {
    case 'InvalidAccess':
      return new InvalidAccessException({ message, ...meta });
    case 'InvalidInput':
      return new InvalidInputException({ message, ...meta });
    case 'LimitExceeded':
      return new LimitExceededException({ message, ...meta });
    case 'Internal':
      return new InternalException({ message, ...meta });
  }
}

const clone = <T>(value: T): T => structuredClone(value);

export class FakeSecurityHub {
  readonly mock = mockClient(SecurityHubClient);
  readonly accountId: string;
  private readonly store = new Map<string, Stored>();
  private readonly customerSet = new Set<string>();
  private readonly disabled = new Map<string, 'throw' | 'failed'>();
  private aggregationRegion: string | undefined;
  private readonly importFailures: InjectedFailure[][] = [];
  private readonly importThrows: Array<{ kind: ThrownError; message: string }> = [];
  private readonly getThrows: Error[] = [];
  /** Every import call: region and the Ids it carried. */
  readonly importLog: Array<{ region: string; ids: string[] }> = [];
  readonly getLog: Array<{ region: string; input: GetFindingsCommandInput }> = [];
  /** When set, each call's time on this clock, in call order (rate tests). */
  clock: { now(): number } | undefined;
  readonly callTimes: Array<{ api: 'GetFindings' | 'BatchImportFindings'; region: string; at: number }> = [];
  /** Calls that never answer (a stalled endpoint), for time-limit tests. */
  stall: { GetFindings?: boolean; BatchImportFindings?: boolean } = {};

  constructor(accountId: string = ACCOUNT) {
    this.accountId = accountId;
    this.mock
      .on(BatchImportFindingsCommand)
      .callsFake(async (input: BatchImportFindingsCommandInput, getClient: () => SecurityHubClient) => {
        const region = await getClient().config.region();
        this.stamp('BatchImportFindings', region);
        if (this.stall.BatchImportFindings) return new Promise<never>(() => undefined);
        return this.batchImport(region, input);
      });
    this.mock
      .on(GetFindingsCommand)
      .callsFake(async (input: GetFindingsCommandInput, getClient: () => SecurityHubClient) => {
        const region = await getClient().config.region();
        this.stamp('GetFindings', region);
        if (this.stall.GetFindings) return new Promise<never>(() => undefined);
        return this.getFindings(region, input);
      });
  }

  restore(): void {
    this.mock.restore();
  }

  private stamp(api: 'GetFindings' | 'BatchImportFindings', region: string): void {
    if (this.clock) this.callTimes.push({ api, region, at: this.clock.now() });
  }

  // ------------------------------------------------------------ test controls

  disable(region: string, mode: 'throw' | 'failed' = 'throw'): void {
    this.disabled.set(region, mode);
  }

  aggregateInto(region: string): void {
    this.aggregationRegion = region;
  }

  /** The next import call reports these failures in FailedFindings (one call per invocation). */
  failNextImport(...failures: InjectedFailure[]): void {
    this.importFailures.push(failures);
  }

  /** The next import call throws. */
  throwOnNextImport(kind: ThrownError, message = `${kind} injected`): void {
    this.importThrows.push({ kind, message });
  }

  /** The next GetFindings call throws this error. */
  throwOnNextGet(error: Error): void {
    this.getThrows.push(error);
  }

  /** Put a finding straight into the store (as another tool or an earlier run would have). */
  seed(region: string, finding: AwsSecurityFinding): void {
    this.store.set(this.key(region, finding.Id ?? ''), { ...clone(finding), Region: region });
  }

  /** What BatchUpdateFindings does: the customer's fields, which imports must never overwrite. */
  customerUpdate(region: string, id: string, fields: Pick<AwsSecurityFinding, 'Workflow' | 'Note' | 'UserDefinedFields' | 'VerificationState' | 'Severity'>): void {
    const stored = this.store.get(this.key(region, id));
    if (!stored) throw new Error(`no finding ${id} in ${region}`);
    Object.assign(stored, clone(fields));
    if (fields.Severity) this.customerSet.add(this.key(region, id));
  }

  get(region: string, id: string): AwsSecurityFinding | undefined {
    const f = this.store.get(this.key(region, id));
    return f ? clone(f) : undefined;
  }

  all(region?: string): AwsSecurityFinding[] {
    return [...this.store.values()].filter((f) => region === undefined || f.Region === region).map(clone);
  }

  active(region?: string): AwsSecurityFinding[] {
    return this.all(region).filter((f) => f.RecordState !== 'ARCHIVED');
  }

  importCalls(region?: string): Array<{ region: string; ids: string[] }> {
    return this.importLog.filter((c) => region === undefined || c.region === region);
  }

  getCalls(region?: string): Array<{ region: string; input: GetFindingsCommandInput }> {
    return this.getLog.filter((c) => region === undefined || c.region === region);
  }

  // ------------------------------------------------------------ the API

  private key(region: string, id: string): string {
    return `${region}\u0000${id}`;
  }

  private batchImport(region: string, input: BatchImportFindingsCommandInput): BatchImportFindingsCommandOutput {
    const findings = input.Findings ?? [];
    this.importLog.push({ region, ids: findings.map((f) => f.Id ?? '') });
    const toThrow = this.importThrows.shift();
    if (toThrow) throw thrown(toThrow.kind, toThrow.message);
    if (this.disabled.get(region) === 'throw') throw thrown('InvalidAccess', `Account ${this.accountId} is not subscribed to AWS Security Hub`);
    if (findings.length === 0 || findings.length > 100) throw thrown('InvalidInput', `Findings must hold 1 to 100 findings, got ${findings.length}`);
    if (Buffer.byteLength(JSON.stringify(input)) > 6 * 1024 * 1024) throw thrown('InvalidInput', 'Request exceeds 6 MB');

    const failed: ImportFindingsError[] = [];
    const injected = this.importFailures.shift() ?? [];
    findings.forEach((finding, index) => {
      const id = finding.Id ?? '';
      if (this.disabled.get(region) === 'failed') {
        failed.push({ Id: id, ErrorCode: 'InvalidAccess', ErrorMessage: 'Security Hub is not enabled for this account and region' });
        return;
      }
      const injection = injected.find((f) => f.ids?.includes(id) || (f.count !== undefined && index < f.count));
      if (injection) {
        failed.push({ Id: id, ErrorCode: injection.code, ErrorMessage: injection.message });
        return;
      }
      const problem = this.validate(region, finding);
      if (problem) {
        failed.push({ Id: id, ErrorCode: 'InvalidInput', ErrorMessage: `Finding does not adhere to Amazon Finding Format. ${problem}` });
        return;
      }
      this.upsert(region, finding);
    });
    return { FailedCount: failed.length, SuccessCount: findings.length - failed.length, FailedFindings: failed, ...meta };
  }

  private validate(region: string, f: AwsSecurityFinding): string | undefined {
    const required = ['SchemaVersion', 'Id', 'ProductArn', 'GeneratorId', 'AwsAccountId', 'CreatedAt', 'UpdatedAt', 'Title', 'Description'] as const;
    for (const k of required) {
      const v = f[k];
      if (typeof v !== 'string' || !/\S/.test(v)) return `data should have required property '${k}'`;
    }
    if (f.SchemaVersion !== '2018-10-08') return 'unknown SchemaVersion';
    if ((f.Id ?? '').length > 512) return 'Id is longer than 512';
    if ((f.Title ?? '').length > 256) return 'Title is longer than 256';
    if ((f.Description ?? '').length > 1024) return 'Description is longer than 1024';
    if ((f.Remediation?.Recommendation?.Text ?? '').length > 512) return 'Remediation.Recommendation.Text is longer than 512';
    if (f.AwsAccountId !== this.accountId) return 'AwsAccountId is not the caller account';
    if (f.ProductArn !== `arn:aws:securityhub:${region}:${this.accountId}:product/${this.accountId}/default`) return `ProductArn ${f.ProductArn} is not the default product of ${region}`;
    for (const k of ['CreatedAt', 'UpdatedAt', 'FirstObservedAt', 'LastObservedAt'] as const) {
      const v = f[k];
      if (v !== undefined && Number.isNaN(Date.parse(v))) return `${k} is not a timestamp`;
    }
    const label = f.FindingProviderFields?.Severity?.Label ?? f.Severity?.Label;
    if (!label || !SEVERITIES.has(label)) return 'data should have required property FindingProviderFields.Severity.Label';
    if (f.Severity?.Normalized !== undefined && f.Severity.Label === undefined) return 'Severity.Normalized without Label';
    const types = f.FindingProviderFields?.Types ?? f.Types;
    if (!types || types.length === 0) return 'data should have required property Types';
    if (f.Compliance?.Status && !COMPLIANCE.has(f.Compliance.Status)) return 'invalid Compliance.Status';
    if (f.RecordState && f.RecordState !== 'ACTIVE' && f.RecordState !== 'ARCHIVED') return 'invalid RecordState';
    const resources = f.Resources ?? [];
    if (resources.length < 1 || resources.length > 32) return `Resources must hold 1 to 32 resources, got ${resources.length}`;
    for (const r of resources) {
      if (!r.Type || !r.Id) return 'every resource needs Type and Id';
      const other = r.Details?.Other ?? {};
      if (Object.keys(other).length > 50) return 'Details.Other holds more than 50 pairs';
      if (Object.values(other).some((v) => typeof v !== 'string' || v.length >= 1024)) return 'Details.Other values must be strings under 1024 characters';
    }
    const fields = Object.entries(f.ProductFields ?? {});
    if (fields.length > 50) return 'ProductFields holds more than 50 pairs';
    for (const [k, v] of fields) {
      if (k.startsWith('aws/')) return `ProductFields key ${k} is in the reserved aws/ namespace`;
      if (k.length > 128 || v.length > 2048) return 'ProductFields key or value too long';
    }
    if (Buffer.byteLength(JSON.stringify(f)) > 240 * 1024) return 'finding is larger than 240 KB';
    return undefined;
  }

  private upsert(region: string, f: AwsSecurityFinding): void {
    const key = this.key(region, f.Id ?? '');
    const existing = this.store.get(key);
    if (existing && !(Date.parse(f.UpdatedAt ?? '') > Date.parse(existing.UpdatedAt ?? ''))) return; // silently ignored
    const incoming = clone(f);
    const record: Stored = {
      ...incoming,
      Region: region,
      ProcessedAt: new Date().toISOString(),
      ProductFields: {
        ...incoming.ProductFields,
        'aws/securityhub/FindingId': `arn:aws:securityhub:${region}:${this.accountId}:product/${this.accountId}/default/${f.Id ?? ''}`,
        'aws/securityhub/ProductName': 'Default',
        'aws/securityhub/CompanyName': 'Personal',
      },
    };
    if (existing) {
      // The customer's fields cannot be changed by an import.
      delete record.Workflow;
      delete record.Note;
      delete record.UserDefinedFields;
      delete record.VerificationState;
      if (existing.Workflow) record.Workflow = existing.Workflow;
      if (existing.Note) record.Note = existing.Note;
      if (existing.UserDefinedFields) record.UserDefinedFields = existing.UserDefinedFields;
      if (existing.VerificationState) record.VerificationState = existing.VerificationState;
      if (this.customerSet.has(key)) {
        record.Severity = existing.Severity;
        record.Types = existing.Types;
      } else {
        this.mirrorProviderFields(record);
      }
      if (existing.RecordState === 'ARCHIVED' && record.RecordState !== 'ARCHIVED' && ['NOTIFIED', 'RESOLVED'].includes(existing.Workflow?.Status ?? '')) {
        record.Workflow = { Status: 'NEW' };
      }
    } else {
      record.Workflow = record.Workflow ?? { Status: 'NEW' };
      record.RecordState = record.RecordState ?? 'ACTIVE';
      this.mirrorProviderFields(record);
    }
    this.store.set(key, record);
  }

  private mirrorProviderFields(record: Stored): void {
    const severity = record.FindingProviderFields?.Severity;
    if (severity?.Label) record.Severity = { Label: severity.Label, ...(severity.Original ? { Original: severity.Original } : {}) };
    if (record.FindingProviderFields?.Types) record.Types = [...record.FindingProviderFields.Types];
  }

  private getFindings(region: string, input: GetFindingsCommandInput): GetFindingsCommandOutput {
    this.getLog.push({ region, input: clone(input) });
    const toThrow = this.getThrows.shift();
    if (toThrow) throw toThrow;
    if (this.disabled.has(region)) throw thrown('InvalidAccess', `Account ${this.accountId} is not subscribed to AWS Security Hub`);
    const max = input.MaxResults ?? 100;
    if (max < 1 || max > 100) throw thrown('InvalidInput', 'MaxResults must be between 1 and 100');
    const filters: AwsSecurityFindingFilters = input.Filters ?? {};
    const attributes = Object.entries(filters).filter(([, v]) => Array.isArray(v) && v.length > 0) as Array<[string, StringFilter[]]>;
    if (attributes.length > 10) throw thrown('InvalidInput', 'at most 10 filter attributes');
    for (const [name, values] of attributes) {
      if (!SUPPORTED_FILTERS.has(name)) throw new Error(`fake Security Hub: filter ${name} is not modelled`);
      if (values.length > 20) throw thrown('InvalidInput', `at most 20 values for filter ${name}`);
    }
    const visible = [...this.store.values()].filter((f) => f.Region === region || this.aggregationRegion === region);
    const matching = visible.filter((f) => attributes.every(([name, values]) => valuesOf(f, name).some((v) => matches(v, values)))).sort((a, b) => (a.Id ?? '').localeCompare(b.Id ?? ''));
    const offset = input.NextToken ? Number(Buffer.from(input.NextToken, 'base64').toString('utf8')) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw thrown('InvalidInput', 'bad NextToken');
    const page = matching.slice(offset, offset + max);
    const next = offset + max < matching.length ? Buffer.from(String(offset + max), 'utf8').toString('base64') : undefined;
    return { Findings: page.map(clone), ...(next ? { NextToken: next } : {}), ...meta };
  }
}

/** ResourceId matches any of the finding's resources, as Security Hub's resource filters do. */
function valuesOf(f: Stored, name: string): Array<string | undefined> {
  if (name === 'ResourceId') return (f.Resources ?? []).length > 0 ? (f.Resources ?? []).map((r) => r.Id) : [undefined];
  return [valueOf(f, name)];
}

function valueOf(f: Stored, name: string): string | undefined {
  switch (name) {
    case 'ComplianceStatus':
      return f.Compliance?.Status;
    case 'RecordState':
      return f.RecordState ?? 'ACTIVE';
    default:
      return (f as unknown as Record<string, string | undefined>)[name];
  }
}

function matches(value: string | undefined, filters: readonly StringFilter[]): boolean {
  const test = (flt: StringFilter): boolean => {
    const v = value ?? '';
    const want = flt.Value ?? '';
    switch (flt.Comparison) {
      case 'EQUALS':
      case 'NOT_EQUALS':
        return v === want;
      case 'PREFIX':
      case 'PREFIX_NOT_EQUALS':
        return v.startsWith(want);
      case 'CONTAINS':
      case 'NOT_CONTAINS':
        return v.includes(want);
      default:
        throw new Error(`fake Security Hub: comparison ${String(flt.Comparison)} is not modelled`);
    }
  };
  const positive = filters.filter((f) => !String(f.Comparison).startsWith('NOT_') && f.Comparison !== 'PREFIX_NOT_EQUALS');
  const negative = filters.filter((f) => !positive.includes(f));
  return (positive.length === 0 || positive.some(test)) && negative.every((f) => !test(f));
}
