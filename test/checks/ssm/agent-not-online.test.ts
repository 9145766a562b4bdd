import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/ssm/agent-not-online.js';
import { accessDenied, makeCluster, only, runCluster } from '../../helpers/fixtures.js';
import { node, registered, ssm } from './fixtures.js';

describe('ssm/agent-not-online', () => {
  it('passes when every registered instance is Online', () => {
    const cluster = makeCluster({ instances: [node('i-1'), node('i-2')] });
    const o = only(runCluster(check, cluster, { ssmInstances: registered(ssm('i-1'), ssm('i-2')), ssmQueried: ['i-1', 'i-2'] }));
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('Online on 2 registered instances');
  });

  it('fails for a registered instance that is not Online, with status and last ping', () => {
    const cluster = makeCluster({ instances: [node('i-1', {}, 'MASTER'), node('i-2')] });
    const o = only(
      runCluster(check, cluster, {
        ssmInstances: registered(ssm('i-1', 'ConnectionLost', '2026-11-23T09:00:00.000Z'), ssm('i-2')),
        ssmQueried: ['i-1', 'i-2'],
      }),
    );
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('i-1 (MASTER, ConnectionLost, last ping 2026-11-23T09:00:00.000Z)');
    expect(o.message).not.toContain('i-2');
    expect(o.resources?.map((r) => r.id)).toEqual(['i-1']);
  });

  it('says the last ping is unknown when SSM gives none', () => {
    const cluster = makeCluster({ instances: [node('i-1')] });
    const o = only(runCluster(check, cluster, { ssmInstances: registered(ssm('i-1', 'Inactive')), ssmQueried: ['i-1'] }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('i-1 (CORE, Inactive, last ping unknown)');
  });

  it('leaves unregistered instances to ssm/instance-not-managed', () => {
    const cluster = makeCluster({ instances: [node('i-1'), node('i-2')] });
    const o = only(runCluster(check, cluster, { ssmInstances: registered(ssm('i-1')), ssmQueried: ['i-1', 'i-2'] }));
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('1 instance not registered with SSM (see ssm/instance-not-managed)');
  });

  it('is NOT_APPLICABLE when no running instance is registered', () => {
    const cluster = makeCluster({ instances: [node('i-1')] });
    const o = only(runCluster(check, cluster, { ssmQueried: ['i-1'] }));
    expect(o.status).toBe('NOT_APPLICABLE');
    expect(o.message).toContain('ssm/instance-not-managed');
  });

  it('is NOT_APPLICABLE with no running instance', () => {
    expect(only(runCluster(check, makeCluster({ instances: [] }))).status).toBe('NOT_APPLICABLE');
  });

  it('is ERROR for an instance SSM was not asked about', () => {
    const cluster = makeCluster({ instances: [node('i-1'), node('i-2')] });
    const o = only(
      runCluster(check, cluster, {
        ssmInstances: registered(ssm('i-1')),
        ssmQueried: ['i-1'],
        errors: [{ kind: 'ssmInstance', resourceId: 'i-2', api: 'ssm:DescribeInstanceInformation', code: 'ThrottlingException', message: 'Rate exceeded' }],
      }),
    );
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('i-2: ssm:DescribeInstanceInformation ThrottlingException (Rate exceeded)');
  });

  it('fails on a known offline agent and mentions the unknown instances', () => {
    const cluster = makeCluster({ instances: [node('i-1'), node('i-2')] });
    const o = only(runCluster(check, cluster, { ssmInstances: registered(ssm('i-1', 'ConnectionLost')), ssmQueried: ['i-1'] }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('Agent status unknown for i-2');
  });

  it('is ERROR when the instances could not be listed', () => {
    const { instances: _omit, ...unlisted } = makeCluster();
    const o = only(runCluster(check, unlisted, { errors: [accessDenied('clusterInstances', 'j-TEST00000001', 'elasticmapreduce:ListInstances')] }));
    expect(o.status).toBe('ERROR');
  });
});
