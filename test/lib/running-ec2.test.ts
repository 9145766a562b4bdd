import { describe, expect, it } from 'vitest';
import { countInstances, describeUnknown, listIds, lookupRunningEc2Instances } from '../../lib/running-ec2.js';
import { makeCluster, makeContext } from '../helpers/fixtures.js';

describe('listIds', () => {
  it('joins short lists in words', () => {
    expect(listIds([])).toBe('(none)');
    expect(listIds(['i-1'])).toBe('i-1');
    expect(listIds(['i-1', 'i-2'])).toBe('i-1 and i-2');
    expect(listIds(['i-1', 'i-2', 'i-3'])).toBe('i-1, i-2 and i-3');
  });

  it('summarises the tail beyond the limit', () => {
    expect(listIds(['a', 'b', 'c', 'd'], 2)).toBe('a, b and 2 more');
  });
});

describe('describeUnknown', () => {
  it('groups instances by reason', () => {
    expect(
      describeUnknown([
        { id: 'i-1', reason: 'denied' },
        { id: 'i-2', reason: 'throttled' },
        { id: 'i-3', reason: 'denied' },
      ]),
    ).toBe('i-1 and i-3: denied; i-2: throttled');
  });
});

describe('countInstances', () => {
  it('agrees in number', () => {
    expect(countInstances(1)).toBe('1 instance');
    expect(countInstances(2, 'running')).toBe('2 running instances');
  });
});

describe('lookupRunningEc2Instances', () => {
  it('keeps RUNNING instances once per EC2 id and sets aside those without one', () => {
    const cluster = makeCluster({
      instances: [
        { id: 'ci-1', ec2InstanceId: 'i-1', state: 'RUNNING' },
        { id: 'ci-1b', ec2InstanceId: 'i-1', state: 'RUNNING' },
        { id: 'ci-2', state: 'RUNNING' },
        { id: 'ci-3', ec2InstanceId: 'i-3', state: 'TERMINATED' },
      ],
    });
    const found = lookupRunningEc2Instances(cluster, makeContext({ clusters: [cluster] }));
    expect(found.ok).toBe(true);
    if (!found.ok) return;
    expect(found.value.instances.map((i) => i.ec2InstanceId)).toEqual(['i-1']);
    expect(found.value.withoutEc2Id.map((i) => i.id)).toEqual(['ci-2']);
  });

  it('says why when the instances were not listed', () => {
    const { instances: _omit, ...unlisted } = makeCluster();
    const found = lookupRunningEc2Instances(unlisted, makeContext());
    expect(found).toEqual({ ok: false, reason: 'instances of j-TEST00000001: the data was not collected.' });
  });
});
