import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/ssm/instance-not-managed.js';
import { accessDenied, makeCluster, NOW, only, runCluster } from '../../helpers/fixtures.js';
import { node, registered, ssm } from './fixtures.js';

/** ISO time `minutes` before the test's now. */
const ago = (minutes: number): string => new Date(NOW.getTime() - minutes * 60_000).toISOString();

describe('ssm/instance-not-managed', () => {
  it('passes when every running instance is registered', () => {
    const cluster = makeCluster({ instances: [node('i-1', { readyAt: ago(60) }), node('i-2', { readyAt: ago(60) })] });
    const o = only(runCluster(check, cluster, { ssmInstances: registered(ssm('i-1'), ssm('i-2', 'ConnectionLost')), ssmQueried: ['i-1', 'i-2'] }));
    expect(o.status).toBe('PASS');
    expect(o.message).toBe('All 2 running instances are registered with SSM.');
  });

  it('fails for an unregistered instance past the grace period, with its role, start and age', () => {
    const cluster = makeCluster({ instances: [node('i-1', { readyAt: ago(60) }, 'MASTER'), node('i-2', { readyAt: ago(60) })] });
    const o = only(runCluster(check, cluster, { ssmInstances: registered(ssm('i-2')), ssmQueried: ['i-1', 'i-2'] }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain(`i-1 (MASTER, running since ${ago(60)}, 60 min)`);
    expect(o.message).toContain('1 of 2 running instances is not registered with SSM after the 15-minute grace period');
    expect(o.resources?.map((r) => r.id)).toEqual(['i-1']);
  });

  it('gives a long-running instance its age in days, not in minutes', () => {
    const cluster = makeCluster({ instances: [node('i-1', { readyAt: ago(92_154) })] });
    const o = only(runCluster(check, cluster, { ssmInstances: registered(), ssmQueried: ['i-1'] }));
    expect(o.message).toContain(`running since ${ago(92_154)}, 63 days)`);
    expect(o.message).not.toMatch(/\d{3,} min/);
  });

  it('lists every overdue instance in one outcome', () => {
    const cluster = makeCluster({ instances: [node('i-1', { readyAt: ago(30) }), node('i-2', { readyAt: ago(40) })] });
    const o = only(runCluster(check, cluster, { ssmQueried: ['i-1', 'i-2'] }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('2 of 2 running instances are not registered');
    expect(o.resources?.map((r) => r.id)).toEqual(['i-1', 'i-2']);
  });

  describe('grace period', () => {
    it('does not judge an instance running exactly the grace period', () => {
      const cluster = makeCluster({ instances: [node('i-1', { readyAt: ago(15) })] });
      const o = only(runCluster(check, cluster, { ssmQueried: ['i-1'] }));
      expect(o.status).toBe('PASS');
      expect(o.message).toContain('i-1 is not registered but within the 15-minute grace period');
    });

    it('judges an instance running just over the grace period', () => {
      const cluster = makeCluster({ instances: [node('i-1', { readyAt: new Date(NOW.getTime() - 15 * 60_000 - 1).toISOString() })] });
      expect(only(runCluster(check, cluster, { ssmQueried: ['i-1'] })).status).toBe('FAIL');
    });

    it('uses the ssmGraceMinutes setting', () => {
      const cluster = makeCluster({ instances: [node('i-1', { readyAt: ago(20) })] });
      expect(only(runCluster(check, cluster, { ssmQueried: ['i-1'] }, { ssmGraceMinutes: 30 })).status).toBe('PASS');
      expect(only(runCluster(check, cluster, { ssmQueried: ['i-1'] }, { ssmGraceMinutes: 10 })).status).toBe('FAIL');
    });

    it('names instances in the grace period next to the failing ones', () => {
      const cluster = makeCluster({ instances: [node('i-old', { readyAt: ago(90) }), node('i-new', { readyAt: ago(2) })] });
      const o = only(runCluster(check, cluster, { ssmQueried: ['i-old', 'i-new'] }));
      expect(o.status).toBe('FAIL');
      expect(o.message).toContain('Not judged yet: i-new');
      expect(o.resources?.map((r) => r.id)).toEqual(['i-old']);
    });

    it('passes with registered and in-grace instances, saying how many are registered', () => {
      const cluster = makeCluster({ instances: [node('i-1', { readyAt: ago(90) }), node('i-2', { readyAt: ago(1) })] });
      const o = only(runCluster(check, cluster, { ssmInstances: registered(ssm('i-1')), ssmQueried: ['i-1', 'i-2'] }));
      expect(o.status).toBe('PASS');
      expect(o.message).toContain('1 of 2 running instances is registered with SSM');
      expect(o.message).toContain('i-2');
    });
  });

  describe('running since', () => {
    it('falls back to createdAt without readyAt', () => {
      const cluster = makeCluster({ instances: [node('i-1', { createdAt: ago(5) })] });
      expect(only(runCluster(check, cluster, { ssmQueried: ['i-1'] })).status).toBe('PASS');
    });

    it('prefers readyAt over createdAt', () => {
      const cluster = makeCluster({ instances: [node('i-1', { createdAt: ago(60), readyAt: ago(5) })] });
      expect(only(runCluster(check, cluster, { ssmQueried: ['i-1'] })).status).toBe('PASS');
    });

    it('falls back to the EC2 launch time without EMR timestamps', () => {
      const cluster = makeCluster({ instances: [node('i-1')] });
      const region = { ssmQueried: ['i-1'], ec2Instances: { 'i-1': { instanceId: 'i-1', launchTime: ago(3) } } };
      expect(only(runCluster(check, cluster, region)).status).toBe('PASS');
      const old = { ...region, ec2Instances: { 'i-1': { instanceId: 'i-1', launchTime: ago(300) } } };
      expect(only(runCluster(check, cluster, old)).status).toBe('FAIL');
    });

    it('judges an instance whose start is unknown', () => {
      const cluster = makeCluster({ instances: [node('i-1', { readyAt: 'not a time' })] });
      const o = only(runCluster(check, cluster, { ssmQueried: ['i-1'] }));
      expect(o.status).toBe('FAIL');
      expect(o.message).toContain('i-1 (CORE, running since unknown)');
    });
  });

  describe('SSM not queried', () => {
    it('is ERROR with the reason for an instance SSM was not asked about', () => {
      const cluster = makeCluster({ instances: [node('i-1', { readyAt: ago(60) }), node('i-2', { readyAt: ago(60) })] });
      const o = only(
        runCluster(check, cluster, {
          ssmInstances: registered(ssm('i-1')),
          ssmQueried: ['i-1'],
          errors: [accessDenied('ssmInstance', 'i-2', 'ssm:DescribeInstanceInformation')],
        }),
      );
      expect(o.status).toBe('ERROR');
      expect(o.message).toContain('i-2: ssm:DescribeInstanceInformation AccessDenied');
    });

    it('groups unknown instances that share a reason', () => {
      const cluster = makeCluster({ instances: [node('i-1'), node('i-2')] });
      const errors = ['i-1', 'i-2'].map((id) => accessDenied('ssmInstance', id, 'ssm:DescribeInstanceInformation'));
      const o = only(runCluster(check, cluster, { errors }));
      expect(o.status).toBe('ERROR');
      expect(o.message).toContain('i-1 and i-2: ssm:DescribeInstanceInformation AccessDenied');
    });

    it('fails when another instance already fails, mentioning the unknown one', () => {
      const cluster = makeCluster({ instances: [node('i-1', { readyAt: ago(60) }), node('i-2', { readyAt: ago(60) })] });
      const o = only(runCluster(check, cluster, { ssmQueried: ['i-1'] }));
      expect(o.status).toBe('FAIL');
      expect(o.message).toContain('SSM registration unknown for i-2');
      expect(o.resources?.map((r) => r.id)).toEqual(['i-1']);
    });
  });

  it('is NOT_APPLICABLE with no running instance yet', () => {
    const o = only(runCluster(check, makeCluster({ instances: [node('i-1', {}, 'MASTER', 'BOOTSTRAPPING')] })));
    expect(o.status).toBe('NOT_APPLICABLE');
  });

  it('is ERROR when the instances could not be listed', () => {
    const { instances: _omit, ...unlisted } = makeCluster();
    const o = only(runCluster(check, unlisted, { errors: [accessDenied('clusterInstances', 'j-TEST00000001', 'elasticmapreduce:ListInstances')] }));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('ListInstances AccessDenied');
  });

  it('is ERROR for a running instance without an EC2 id', () => {
    const o = only(runCluster(check, makeCluster({ instances: [{ id: 'ci-x', state: 'RUNNING' }] })));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('ci-x');
  });

  it('summarises long lists', () => {
    const ids = Array.from({ length: 14 }, (_, n) => `i-${String(n).padStart(2, '0')}`);
    const cluster = makeCluster({ instances: ids.map((id) => node(id, { readyAt: ago(60) })) });
    const o = only(runCluster(check, cluster, { ssmQueried: ids }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('and 4 more');
    expect(o.resources).toHaveLength(14);
  });
});
