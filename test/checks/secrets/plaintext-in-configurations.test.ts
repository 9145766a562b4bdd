import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/secrets/plaintext-in-configurations.js';
import { makeCluster, only, runCluster } from '../../helpers/fixtures.js';

describe('secrets/plaintext-in-configurations', () => {
  it('FAILs naming each classification and property, never a value', () => {
    const o = only(
      runCluster(
        check,
        makeCluster({
          configurationCredentials: [
            { classification: 'hive-site', property: 'javax.jdo.option.ConnectionPassword' },
            { classification: 'hadoop-env/export', property: 'AWS_SECRET_ACCESS_KEY' },
          ],
        }),
      ),
    );
    expect(o).toEqual({
      status: 'FAIL',
      message:
        "The cluster's Configurations hold 2 literal credentials: javax.jdo.option.ConnectionPassword in hive-site, AWS_SECRET_ACCESS_KEY in hadoop-env/export. Anyone allowed elasticmapreduce:DescribeCluster (ReadOnlyAccess and SecurityAudit included) reads them in clear. Rotate them, move the value to Secrets Manager or a credential provider, and relaunch.",
    });
  });

  it('one credential reads in the singular; many are bounded with "and N more"', () => {
    expect(only(runCluster(check, makeCluster({ configurationCredentials: [{ classification: 'core-site', property: 'fs.s3a.secret.key' }] }))).message).toContain(
      'hold a literal credential: fs.s3a.secret.key in core-site. Anyone allowed elasticmapreduce:DescribeCluster (ReadOnlyAccess and SecurityAudit included) reads it in clear.',
    );
    const many = Array.from({ length: 11 }, (_, i) => ({ classification: 'c', property: `p${i}.password` }));
    expect(only(runCluster(check, makeCluster({ configurationCredentials: many }))).message).toContain('p7.password in c, and 3 more.');
  });

  it('PASSes when no literal credential was found', () => {
    expect(only(runCluster(check, makeCluster({ configurationCredentials: [] })))).toEqual({ status: 'PASS', message: "No property of the cluster's Configurations holds a literal credential." });
  });

  it('ERROR (never PASS) when the Configurations were not reduced (an older snapshot)', () => {
    const o = only(runCluster(check, makeCluster()));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain("the cluster's Configurations unavailable");
  });
});
