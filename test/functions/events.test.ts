import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../../checks/index.js';
import { EventValidationError, parseEvent } from '../../functions/events.js';

const known = { knownCheckIds: CHECK_IDS };
const example = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`../../examples/events/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

function onDemand(detail: unknown): Record<string, unknown> {
  return { ...example('on-demand-all.json'), detail };
}

function emr(detail: Record<string, unknown>, region: unknown = 'eu-west-1'): Record<string, unknown> {
  const base = example('emr-cluster-running.json');
  return { ...base, region, detail: { ...(base.detail as Record<string, unknown>), ...detail } };
}

function rejection(event: unknown): string {
  try {
    parseEvent(event, known);
  } catch (e) {
    expect(e).toBeInstanceOf(EventValidationError);
    return (e as Error).message;
  }
  throw new Error('expected a validation error');
}

describe('parseEvent: accepted events', () => {
  it('turns the schedule into a full audit', () => {
    expect(parseEvent(example('scheduled.json'), known)).toEqual({
      kind: 'audit',
      description: 'scheduled audit',
      request: { trigger: 'schedule', dryRun: false, terminatedClusters: [] },
    });
  });

  it('turns an on-demand event without detail keys into a full audit', () => {
    expect(parseEvent(example('on-demand-all.json'), known)).toMatchObject({ kind: 'audit', request: { trigger: 'on-demand', dryRun: false, terminatedClusters: [] } });
    const { request } = parseEvent({ source: 'emr-audit', 'detail-type': 'Run EMR audit' }, known) as { request: Record<string, unknown> };
    expect(request).not.toHaveProperty('regions');
    expect(request).not.toHaveProperty('clusterIds');
    expect(request).not.toHaveProperty('checks');
  });

  it('keeps the regions, clusters, checks and dry run of an on-demand event, without duplicates', () => {
    expect(parseEvent(example('on-demand-one-cluster-dry-run.json'), known)).toMatchObject({
      kind: 'audit',
      request: {
        trigger: 'on-demand',
        regions: ['us-east-1'],
        clusterIds: ['j-2AXXXXXXGAPLF'],
        checks: ['network/ssh-from-internet', 'iam/instance-profile-admin'],
        dryRun: true,
      },
    });
    const dup = parseEvent(onDemand({ regions: ['us-east-1', 'us-east-1'], clusterIds: ['j-ABC', 'j-ABC'] }), known);
    expect(dup).toMatchObject({ request: { regions: ['us-east-1'], clusterIds: ['j-ABC'] } });
  });

  it('accepts the event the put-events command of docs/security-hub.md sends', () => {
    const [entry] = JSON.parse(readFileSync(new URL('../../examples/events/put-events-entries.json', import.meta.url), 'utf8')) as Array<{ Source: string; DetailType: string; Detail: string }>;
    const event = { version: '0', source: entry?.Source, 'detail-type': entry?.DetailType, detail: JSON.parse(entry?.Detail ?? '{}') as unknown, region: 'us-east-1' };
    expect(parseEvent(event, known)).toMatchObject({ kind: 'audit', request: { trigger: 'on-demand', clusterIds: ['j-2AXXXXXXGAPLF'], dryRun: true } });
  });

  it('audits a cluster that became RUNNING or WAITING, in the region of the event', () => {
    for (const state of ['RUNNING', 'WAITING']) {
      expect(parseEvent(emr({ state, clusterId: 'j-1K48XXXXXXHCB' }), known)).toEqual({
        kind: 'audit',
        description: `cluster j-1K48XXXXXXHCB is ${state}`,
        request: { trigger: 'cluster-state-change', regions: ['eu-west-1'], clusterIds: ['j-1K48XXXXXXHCB'], dryRun: false, terminatedClusters: [] },
      });
    }
  });

  it('archives the findings of a cluster that terminated, with or without errors', () => {
    for (const state of ['TERMINATED', 'TERMINATED_WITH_ERRORS']) {
      expect(parseEvent(emr({ state }), known)).toMatchObject({
        kind: 'audit',
        request: { trigger: 'cluster-state-change', clusterIds: ['j-2AXXXXXXGAPLF'], terminatedClusters: [{ clusterId: 'j-2AXXXXXXGAPLF', region: 'eu-west-1' }] },
      });
    }
    expect(parseEvent(example('emr-cluster-terminated.json'), known)).toMatchObject({ request: { terminatedClusters: [{ clusterId: 'j-2AXXXXXXGAPLF', region: 'us-east-1' }] } });
  });

  it('accepts other cluster states and does nothing', () => {
    for (const state of ['STARTING', 'BOOTSTRAPPING', 'TERMINATING']) {
      expect(parseEvent(emr({ state }), known)).toEqual({ kind: 'ignore', reason: `cluster j-2AXXXXXXGAPLF is ${state}: nothing to audit yet` });
    }
  });
});

describe('parseEvent: rejected events', () => {
  it('rejects what is not an event object', () => {
    for (const event of [null, 'run', 42, [], undefined]) expect(rejection(event)).toBe('Invalid event: expected a JSON object (an EventBridge event)');
  });

  it('rejects an event without source or detail-type', () => {
    expect(rejection({ 'detail-type': 'Run EMR audit' })).toBe('Invalid event: event.source: the event has no "source"');
    expect(rejection({ source: 'emr-audit' })).toBe('Invalid event: event.detail-type: the event has no "detail-type"');
  });

  it('rejects an unknown source or detail-type, naming both', () => {
    expect(rejection({ source: 'aws.s3', 'detail-type': 'Object Created', detail: {} })).toMatch(/^Invalid event: unsupported source "aws\.s3" with detail-type "Object Created"; expected/);
    expect(rejection({ source: 'emr-audit', 'detail-type': 'Run audit', detail: {} })).toMatch(/unsupported source "emr-audit" with detail-type "Run audit"/);
    expect(rejection({ source: 'aws.emr', 'detail-type': 'EMR Step Status Change', region: 'us-east-1', detail: {} })).toMatch(/detail-type "EMR Step Status Change"/);
  });

  it('rejects unknown detail keys of an on-demand event', () => {
    expect(rejection(onDemand({ clusters: ['j-ABC'] }))).toBe('Invalid event: detail: unknown key(s) "clusters"');
  });

  it('rejects a detail that is not an object', () => {
    expect(rejection(onDemand('j-ABC'))).toMatch(/^Invalid event: detail: Invalid input: expected object/);
  });

  it('rejects a null detail like any malformed one (it used to run a full audit with writes)', () => {
    expect(rejection(onDemand(null))).toBe('Invalid event: detail: Invalid input: expected object, received null');
    expect(rejection(onDemand([]))).toMatch(/^Invalid event: detail: Invalid input: expected object/);
  });

  it('bounds the lists of an on-demand event, saying the bound', () => {
    const ids = Array.from({ length: 200_000 }, (_, i) => `j-${i.toString(36).toUpperCase()}`);
    expect(rejection(onDemand({ clusterIds: ids }))).toBe('Invalid event: detail.clusterIds: at most 1000 clusters (got 200000)');
    const regions = Array.from({ length: 33 }, (_, i) => `eu-west-${i + 1}`);
    expect(rejection(onDemand({ regions }))).toBe('Invalid event: detail.regions: at most 32 regions (got 33)');
    const checks = [...CHECK_IDS, CHECK_IDS[0]!];
    expect(rejection(onDemand({ checks }))).toBe(`Invalid event: detail.checks: at most ${CHECK_IDS.length} checks (got ${CHECK_IDS.length + 1})`);
    const thousand = ids.slice(0, 1000);
    const parsed = parseEvent(onDemand({ clusterIds: thousand }), known);
    expect(parsed.kind === 'audit' && parsed.request.clusterIds?.length).toBe(1000);
  });

  it('rejects bad region names', () => {
    expect(rejection(onDemand({ regions: ['us-east-1', 'US_EAST'] }))).toBe('Invalid event: detail.regions[1]: "US_EAST" is not an AWS region name');
    expect(rejection(onDemand({ regions: [] }))).toBe('Invalid event: detail.regions: must list at least one region when given');
  });

  it('rejects malformed cluster ids', () => {
    for (const bad of ['cluster-1', 'j-abc123', 'j-', 'J-ABC', 'j-ABC/../x']) {
      expect(rejection(onDemand({ clusterIds: [bad] }))).toBe(`Invalid event: detail.clusterIds[0]: ${JSON.stringify(bad)} is not an EMR cluster id (j-…)`);
    }
  });

  it('rejects unknown check ids', () => {
    expect(rejection(onDemand({ checks: ['network/ssh-from-internet', 'network/telnet'] }))).toBe('Invalid event: detail.checks[1]: unknown check id "network/telnet" (see `emr-audit checks`)');
  });

  it('rejects a dryRun that is not a boolean', () => {
    expect(rejection(onDemand({ dryRun: 'yes' }))).toBe('Invalid event: detail.dryRun: Invalid input: expected boolean, received string');
  });

  it('rejects an EMR state change without a valid region, cluster id or state', () => {
    const { region: _region, ...noRegion } = emr({});
    expect(rejection(noRegion)).toMatch(/^Invalid event: region: /);
    expect(rejection(emr({}, 'mars-1'))).toBe('Invalid event: region: "mars-1" is not an AWS region name');
    expect(rejection(emr({ clusterId: 'cluster-1' }))).toBe('Invalid event: detail.clusterId: "cluster-1" is not an EMR cluster id (j-…)');
    expect(rejection(emr({ state: '' }))).toMatch(/^Invalid event: detail\.state: /);
  });
});
