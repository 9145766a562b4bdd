import { describe, expect, it } from 'vitest';
import type { Result } from '../../checks/contract.js';
import { STATUSES } from '../../checks/contract.js';
import { buildOcsf, OCSF_MAPPING, OCSF_VERSION, renderOcsf, type OcsfEvent } from '../../lib/report/ocsf.js';
import { demoInput } from './demo-input.js';
import { OCSF_1_6, OcsfSchema } from './ocsf-validator.js';

/*
 * Validated against the OCSF 1.6.0 schema sources (test/fixtures/ocsf-1.6, from
 * github:ocsf/ocsf-schema at tag 1.6.0): class Compliance Finding (2003) with the Cloud profile.
 */
const schema = new OcsfSchema(OCSF_1_6);
const input = demoInput();
const events = buildOcsf(input);
const asRecord = (e: OcsfEvent): Record<string, unknown> => e as unknown as Record<string, unknown>;
const at = (e: OcsfEvent, path: string): unknown =>
  path.split(/[.[\]]+/).filter(Boolean).reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], e);

describe('OCSF output', () => {
  it('is a JSON array with one event per result, whatever its status', () => {
    const parsed = JSON.parse(renderOcsf(input)) as unknown[];
    expect(Array.isArray(parsed)).toBe(true);
    expect(parsed).toHaveLength(input.results.length);
    const byStatus = (list: readonly { status: string }[]): Record<string, number> => Object.fromEntries(STATUSES.map((s) => [s, list.filter((x) => x.status === s).length]));
    expect(byStatus(events.map((e) => ({ status: e.status_code })))).toEqual(byStatus(input.results));
    for (const s of STATUSES) expect(events.some((e) => e.status_code === s), s).toBe(true);
  });

  it('validates against the OCSF 1.6.0 schema: every event of the demo account', () => {
    const parsed = JSON.parse(renderOcsf(input)) as Array<Record<string, unknown>>;
    const problems = parsed.flatMap((e, i) => schema.validate(e, 'compliance_finding').map((p) => `event ${i} (${String(e.status_code)}): ${p}`));
    expect(problems).toEqual([]);
  });

  it('the validator is really checking: unknown, missing, mistyped, out-of-enum, deprecated and over-long attributes fail', () => {
    const e = structuredClone(events.find((x) => x.status_code === 'FAIL')!) as unknown as Record<string, unknown> & OcsfEvent;
    const broken = (change: (x: Record<string, unknown> & OcsfEvent) => void): string[] => {
      const copy = structuredClone(e);
      change(copy);
      return schema.validate(copy, 'compliance_finding');
    };
    expect(schema.validate(e, 'compliance_finding')).toEqual([]);
    expect(broken((x) => (x.is_alert_typo = true))).toEqual([expect.stringContaining('is_alert_typo: not an attribute')]);
    expect(broken((x) => delete (x as Partial<OcsfEvent>).compliance)).toEqual([expect.stringContaining('compliance: required')]);
    expect(broken((x) => (x.severity_id = 7))).toEqual([expect.stringContaining('severity_id: 7 is not in its enum')]);
    expect(broken((x) => (x.severity = 'Severe'))).toEqual([expect.stringContaining('not the caption')]);
    expect(broken((x) => (x.time = String(x.time) as unknown as number))).toEqual([expect.stringContaining('time: expected an integer')]);
    expect(broken((x) => (x.class_uid = 2004))).toEqual(expect.arrayContaining([expect.stringContaining('class_uid: expected 2003')]));
    expect(broken((x) => (x.compliance.status_id = 4))).toEqual([expect.stringContaining('compliance.status_id: 4')]);
    expect(broken((x) => ((x.finding_info as unknown as Record<string, unknown>).product_uid = 'emr-audit'))).toEqual([expect.stringContaining('deprecated')]);
    expect(broken((x) => ((x.compliance as unknown as Record<string, unknown>).status_detail = 'x'))).toEqual([expect.stringContaining('deprecated')]);
    expect(broken((x) => (x.observables[0]!.type_id = 123))).toEqual([expect.stringContaining('not an observable type')]);
    expect(broken((x) => (x.observables[0]!.type = 'Hostname'))).toEqual([expect.stringContaining('expected "Resource UID"')]);
    expect(broken((x) => (x.resources[0] = { ...x.resources[0]!, ip: '999.1.1.1' } as never))).toEqual([expect.stringContaining('resources[0].ip: does not match ip_t')]);
    expect(broken((x) => (x.metadata.profiles = []))).toEqual(expect.arrayContaining([expect.stringContaining('cloud: not an attribute of Compliance Finding without the cloud profile')]));
  });

  it('claims OCSF 1.6 with the Cloud profile', () => {
    for (const e of events) {
      expect(e.metadata.version).toBe(OCSF_VERSION);
      expect(e.metadata.version).toMatch(/^1\.6\.\d+$/);
      expect(e.metadata.product).toMatchObject({ name: 'emr-audit', vendor_name: 'emr-audit', version: input.toolVersion });
      expect(e.metadata.profiles).toEqual(['cloud']);
      expect(e.cloud).toMatchObject({ provider: 'AWS', account: { uid: input.snapshot.accountId, type_id: 10, type: 'AWS Account' } });
      expect(e.metadata.event_code).toBe(e.unmapped.check_id);
    }
  });

  it('is a Compliance Finding whose compliance.status is the verdict and whose status is the triage state', () => {
    const levels: Record<string, number> = { INFORMATIONAL: 1, LOW: 2, MEDIUM: 3, HIGH: 4, CRITICAL: 5 };
    events.forEach((e, i) => {
      const r = input.results[i]!;
      const original = r.status === 'SUPPRESSED' ? r.originalStatus! : r.status;
      expect(e).toMatchObject({ class_uid: 2003, class_name: 'Compliance Finding', category_uid: 2, type_uid: 200300 + e.activity_id });
      expect(e.compliance.status_code).toBe(original);
      expect(e.compliance.status_id).toBe({ FAIL: 3, PASS: 1, NOT_APPLICABLE: 99, ERROR: 2 }[original]);
      expect(e.status_id).toBe(r.status === 'SUPPRESSED' ? 3 : { FAIL: 1, PASS: 4, NOT_APPLICABLE: 5, ERROR: 1 }[original]);
      expect(e.activity_id).toBe(original === 'FAIL' || original === 'ERROR' ? 1 : 3);
      expect(e.severity_id).toBe(original === 'FAIL' ? levels[r.severity] : 1);
      expect(e.unmapped.check_severity).toBe(r.severity);
      expect(e.status_code).toBe(r.status);
    });
  });

  it('reports no PASS, NOT_APPLICABLE or ERROR as a new Critical/High finding (SIEM rules on severity_id >= 4 fire on FAILs only)', () => {
    const alerting = events.filter((e) => e.severity_id >= 4 && e.status_id === 1);
    expect(alerting.length).toBeGreaterThan(0);
    for (const e of alerting) expect(e.status_code).toBe('FAIL');
    for (const e of events.filter((x) => ['PASS', 'NOT_APPLICABLE'].includes(x.status_code))) {
      expect(e).toMatchObject({ severity_id: 1, severity: 'Informational', activity_name: 'Close' });
      expect(e.status_id).not.toBe(1);
    }
    const passes = input.results.filter((r) => r.status === 'PASS' && (r.severity === 'HIGH' || r.severity === 'CRITICAL'));
    expect(passes.length).toBeGreaterThan(50);
  });

  it('shows an ERROR as an open Warning at unknown confidence, naming the failed call', () => {
    const error = events.find((e) => e.status_code === 'ERROR')!;
    expect(error).toMatchObject({ status: 'New', confidence_id: 0, confidence: 'Unknown', severity: 'Informational', activity_name: 'Create' });
    expect(error.compliance).toMatchObject({ status_id: 2, status: 'Warning', status_code: 'ERROR' });
    expect(error.compliance.status_details[0]).toContain('iam:GetRolePolicy AccessDenied');
  });

  it('keeps a suppressed FAIL visible as Suppressed, with its severity, verdict and reason', () => {
    const suppressed = events.find((e) => e.status_code === 'SUPPRESSED')!;
    const r = input.results.find((x) => x.status === 'SUPPRESSED' && x.checkId === suppressed.unmapped.check_id)!;
    expect(suppressed).toMatchObject({ status_id: 3, status: 'Suppressed', severity_id: { CRITICAL: 5, HIGH: 4, MEDIUM: 3, LOW: 2, INFORMATIONAL: 1 }[r.severity] });
    expect(suppressed.compliance.status).toBe('Fail');
    expect(suppressed.unmapped).toMatchObject({ suppressed_by: r.suppressedBy, original_status: 'FAIL' });
    expect(suppressed.status_detail).toContain(r.suppressedBy);
    // A suppressed PASS stays a pass.
    const pass = input.results.find((x) => x.status === 'PASS')!;
    const [e] = buildOcsf({ ...input, results: [{ ...pass, status: 'SUPPRESSED', originalStatus: 'PASS', suppressedBy: 'cluster tag emr-audit:suppress=all' } satisfies Result] });
    expect(e).toMatchObject({ status: 'Suppressed', severity: 'Informational', compliance: { status: 'Pass' } });
    expect(schema.validate(asRecord(e!), 'compliance_finding')).toEqual([]);
  });

  it('carries the check as the control, its standards and requirements, the remediation and the resources', () => {
    const e = events.find((x) => x.status_code === 'FAIL' && x.unmapped.check_id === 'exposure/primary-node-public-ip')!;
    expect(e.compliance.control).toBe('exposure/primary-node-public-ip');
    expect(e.compliance.requirements).toEqual(expect.arrayContaining(['EMR.1']));
    expect(e.compliance.standards).toEqual(expect.arrayContaining(['AWS Foundational Security Best Practices']));
    expect(e.resources[0]).toMatchObject({ type: 'AWS::EMR::Cluster', uid: expect.stringMatching(/^arn:aws:elasticmapreduce:/) as unknown });
    expect(e.remediation?.references[0]).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    expect(e.unmapped.compliance).toEqual(expect.arrayContaining([{ framework: 'aws-fsbp', id: 'EMR.1', source: 'EMR.1' }]));
    const regional = events.find((x) => x.unmapped.check_id === 'exposure/block-public-access-disabled')!;
    expect(regional.resources[0]).toMatchObject({ type: 'AWS::::Account', uid: `AWS::::Account:${input.snapshot.accountId}` });
  });

  it('points every observable at the attribute it names, with that attribute\'s value', () => {
    for (const e of events) {
      expect(e.observables.length).toBe(e.resources.length);
      for (const o of e.observables) expect(at(e, o.name)).toBe(o.value);
    }
  });

  it('dates the events by the data\'s collection and the finding records by the run', () => {
    const collected = Date.parse(input.snapshot.collectedAt);
    const later = { ...input, startedAt: new Date(collected + 30 * 86_400_000) };
    for (const e of buildOcsf(later)) {
      expect(e.time).toBe(collected);
      expect(e.finding_info).toMatchObject({ first_seen_time: collected, last_seen_time: collected, created_time: later.startedAt.getTime(), modified_time: later.startedAt.getTime() });
      expect(e.metadata.uid).toContain(later.startedAt.toISOString());
    }
  });

  it('maps every status the engine has', () => {
    expect(Object.keys(OCSF_MAPPING).sort()).toEqual(STATUSES.filter((s) => s !== 'SUPPRESSED').sort());
  });
});
