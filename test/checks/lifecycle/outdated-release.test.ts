import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/lifecycle/outdated-release.js';
import { accessDenied, makeCluster, only, runCluster, REGION } from '../../helpers/fixtures.js';

/** emr-6.0.0 … emr-6.15.0 (plus 6.15.1), emr-7.0.0 … emr-7.9.0, emr-5.36.2: a realistic ListReleaseLabels. */
const LABELS = [
  ...Array.from({ length: 16 }, (_, m) => `emr-6.${m}.0`),
  'emr-6.15.1',
  ...Array.from({ length: 10 }, (_, m) => `emr-7.${m}.0`),
  'emr-5.36.2',
  'emr-5.36.0',
];

const run = (releaseLabel: string | undefined, settings = {}, releaseLabels: string[] | undefined = LABELS) => {
  const cluster = makeCluster();
  const withLabel = releaseLabel === undefined ? (({ releaseLabel: _omit, ...rest }) => rest)(cluster) : { ...cluster, releaseLabel };
  return only(runCluster(check, withLabel, releaseLabels ? { releaseLabels } : {}, settings));
};

describe('lifecycle/outdated-release', () => {
  it('passes on the newest release of the major', () => {
    const o = run('emr-7.9.0');
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('newest 7.x minor release');
  });

  it('passes exactly maxMinorReleasesBehind minors behind, naming the newest release', () => {
    const o = run('emr-7.3.0');
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('6 minor releases behind emr-7.9.0');
  });

  it('fails one minor more than maxMinorReleasesBehind behind, naming the newest release of the major', () => {
    const o = run('emr-7.2.0');
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('emr-7.2.0 is 7 minor releases behind emr-7.9.0, the newest 7.x release in us-east-1');
    expect(o.message).toContain('at most 6');
  });

  it('uses the maxMinorReleasesBehind setting', () => {
    expect(run('emr-7.7.0', { maxMinorReleasesBehind: 2 }).status).toBe('PASS');
    expect(run('emr-7.6.0', { maxMinorReleasesBehind: 2 }).status).toBe('FAIL');
    expect(run('emr-7.8.0', { maxMinorReleasesBehind: 0 }).status).toBe('FAIL');
  });

  it('does not count patch releases as minors behind (6.15.1 vs 6.15.0)', () => {
    const o = run('emr-6.15.0', { maxMinorReleasesBehind: 0 });
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('emr-6.15.1');
  });

  it('counts several patches of one minor once', () => {
    // 6.8 → 6.15 is 7 minors, although 6.15 has two patch releases.
    expect(run('emr-6.8.0').status).toBe('FAIL');
    expect(run('emr-6.9.0').status).toBe('PASS');
  });

  it('compares versions numerically, not as text (6.9 is older than 6.10)', () => {
    const o = run('emr-6.9.0', {}, ['emr-6.9.0', 'emr-6.10.0']);
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('1 minor release behind emr-6.10.0');
  });

  it('only compares with releases of the same major', () => {
    // A new major does not make the newest 6.x release outdated.
    expect(run('emr-6.15.1', { maxMinorReleasesBehind: 0 }).status).toBe('PASS');
  });

  it('fails a major older than minimumMajorRelease, naming the newest release in the region', () => {
    const o = run('emr-5.36.2');
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('major release 5, older than the minimum major 6');
    expect(o.message).toContain('emr-7.9.0');
  });

  it('uses the minimumMajorRelease setting', () => {
    expect(run('emr-6.15.1', { minimumMajorRelease: 7 }).status).toBe('FAIL');
    expect(run('emr-5.36.2', { minimumMajorRelease: 5 }).status).toBe('PASS');
  });

  it('fails a cluster without a ReleaseLabel (AMI versions before 4.x)', () => {
    const o = run(undefined);
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('no ReleaseLabel');
    expect(o.message).toContain('emr-7.9.0');
  });

  it('is ERROR for an unparseable label', () => {
    const o = run('emr-7.x');
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('"emr-7.x"');
  });

  describe('release labels unavailable', () => {
    const denied = [accessDenied('releaseLabels', REGION, 'elasticmapreduce:ListReleaseLabels')];

    it('is ERROR with the reason when the major rule passes', () => {
      const o = only(runCluster(check, makeCluster({ releaseLabel: 'emr-7.1.0' }), { errors: denied }));
      expect(o.status).toBe('ERROR');
      expect(o.message).toContain('elasticmapreduce:ListReleaseLabels AccessDenied');
    });

    it('still fails on the major rule, without naming a newest release', () => {
      const o = only(runCluster(check, makeCluster({ releaseLabel: 'emr-5.36.0' }), { errors: denied }));
      expect(o.status).toBe('FAIL');
      expect(o.message).not.toContain('newest');
    });

    it('still fails a cluster without a ReleaseLabel', () => {
      const { releaseLabel: _omit, ...noLabel } = makeCluster();
      expect(only(runCluster(check, noLabel, { errors: denied })).status).toBe('FAIL');
    });

    it('is ERROR when the list holds no emr-X.Y.Z label', () => {
      expect(run('emr-7.1.0', {}, []).status).toBe('ERROR');
      expect(run('emr-7.1.0', {}, ['emr-7.1.0-latest']).status).toBe('ERROR');
    });
  });

  it('passes a release newer than any listed (not yet in the region list)', () => {
    const o = run('emr-7.10.0');
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('newest in us-east-1: emr-7.10.0');
  });
});
