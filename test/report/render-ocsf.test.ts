import { describe, expect, it } from 'vitest';
import { STATUSES } from '../../checks/contract.js';
import { buildOcsf, OCSF_VERSION, renderOcsf } from '../../lib/report/ocsf.js';
import { demoInput } from './demo-input.js';

/*
 * The attributes of OCSF Detection Finding (class_uid 2004) that the schema marks required or
 * recommended, with the Cloud profile applied. Read from the OCSF schema sources:
 *   https://github.com/ocsf/ocsf-schema/blob/main/events/findings/detection_finding.json
 *     (confidence_id, evidences, resources: recommended; is_alert: recommended in newer
 *     schemas than the 1.3.0 we declare, so not emitted)
 *   https://github.com/ocsf/ocsf-schema/blob/main/events/findings/finding.json
 *     (finding_info: required; confidence_id, resources, status_id: recommended)
 *   https://github.com/ocsf/ocsf-schema/blob/main/events/base_event.json (metadata: required;
 *     message, observables: recommended) with its classification and occurrence attributes
 *     (activity_id, category_uid, class_uid, severity_id, time, type_uid: required;
 *     timezone_offset: recommended), as the class page shows them:
 *     https://schema.ocsf.io/1.3.0/classes/detection_finding?profiles=cloud
 *   https://github.com/ocsf/ocsf-schema/blob/main/profiles/cloud.json (cloud: required)
 * Not applied: the Security Control profile (action_id, disposition_id), which describes a
 * control that blocks or allows traffic, not a configuration audit.
 */
const REQUIRED = ['activity_id', 'category_uid', 'class_uid', 'cloud', 'finding_info', 'metadata', 'severity_id', 'time', 'type_uid'] as const;
const RECOMMENDED = ['confidence_id', 'evidences', 'message', 'observables', 'resources', 'status_id', 'timezone_offset'] as const;

const input = demoInput();
const events = buildOcsf(input);

describe('OCSF output', () => {
  it('is a JSON array with one event per result, whatever its status', () => {
    const parsed = JSON.parse(renderOcsf(input)) as unknown[];
    expect(Array.isArray(parsed)).toBe(true);
    expect(parsed).toHaveLength(input.results.length);
    const byStatus = (list: readonly { status: string }[]): Record<string, number> => Object.fromEntries(STATUSES.map((s) => [s, list.filter((x) => x.status === s).length]));
    expect(byStatus(events.map((e) => ({ status: e.status_code })))).toEqual(byStatus(input.results));
    for (const s of ['PASS', 'FAIL', 'NOT_APPLICABLE', 'ERROR', 'SUPPRESSED']) expect(events.some((e) => e.status_code === s), s).toBe(true);
  });

  it.each(REQUIRED.map((a) => [a] as const))('every event has the required attribute %s', (attribute) => {
    for (const e of events) expect(e[attribute], attribute).not.toBeUndefined();
    for (const e of events) expect(e[attribute], attribute).not.toBeNull();
  });

  it.each(RECOMMENDED.map((a) => [a] as const))('every event has the recommended attribute %s', (attribute) => {
    for (const e of events) expect(e[attribute], attribute).not.toBeUndefined();
    for (const e of events) expect(e[attribute], attribute).not.toBeNull();
  });

  it('fills the required attributes of the nested objects', () => {
    for (const e of events) {
      expect(e.metadata.version).toBe(OCSF_VERSION);
      expect(e.metadata.product.vendor_name).toBe('emr-audit');
      expect(e.metadata.product.version).toBe(input.toolVersion);
      expect(e.metadata.profiles).toEqual(['cloud']);
      expect(e.finding_info.uid).toMatch(/^emr-audit\//);
      expect(e.finding_info.title.length).toBeGreaterThan(0);
      expect(e.cloud.provider).toBe('AWS');
      expect(e.cloud.account.uid).toBe(input.snapshot.accountId);
      expect(e.resources.length).toBeGreaterThan(0);
      for (const o of e.observables) expect(o).toMatchObject({ type_id: 10, type: 'Resource UID' });
    }
  });

  it('is a Detection Finding (2004) Create event at the run time, with normalized severity', () => {
    const levels: Record<string, number> = { INFORMATIONAL: 1, LOW: 2, MEDIUM: 3, HIGH: 4, CRITICAL: 5 };
    events.forEach((e, i) => {
      const r = input.results[i]!;
      expect(e).toMatchObject({ class_uid: 2004, category_uid: 2, activity_id: 1, type_uid: 200401, time: input.startedAt.getTime(), timezone_offset: 0 });
      expect(e.severity_id).toBe(levels[r.severity]);
      expect(e.status_code).toBe(r.status);
      expect(e.status_id).toBe(r.status === 'SUPPRESSED' ? 3 : 1);
      expect(e.metadata.event_code).toBe(r.checkId);
    });
  });

  it('describes the cluster and its resources, and carries the remediation and compliance mapping', () => {
    const e = events.find((x) => x.status_code === 'FAIL' && x.unmapped.check_id === 'exposure/primary-node-public-ip')!;
    expect(e.resources[0]).toMatchObject({ type: 'AWS::EMR::Cluster', uid: expect.stringMatching(/^arn:aws:elasticmapreduce:/) as unknown });
    expect(e.remediation?.references[0]).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    expect(e.unmapped.compliance).toEqual(expect.arrayContaining([{ framework: 'aws-fsbp', id: 'EMR.1', source: 'EMR.1' }]));
    const regional = events.find((x) => x.unmapped.check_id === 'exposure/block-public-access-disabled')!;
    expect(regional.resources[0]).toMatchObject({ type: 'AWS::::Account', uid: `AWS::::Account:${input.snapshot.accountId}` });
  });

  it('keeps a suppressed result visible with its reason and an ERROR at unknown confidence', () => {
    const suppressed = events.find((e) => e.status_code === 'SUPPRESSED')!;
    expect(suppressed.status).toBe('Suppressed');
    expect(suppressed.unmapped.suppressed_by).toEqual(expect.any(String));
    const error = events.find((e) => e.status_code === 'ERROR')!;
    expect(error.confidence_id).toBe(0);
  });
});
