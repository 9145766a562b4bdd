import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/logging/no-log-uri.js';
import { makeCluster, only, runCluster } from '../../helpers/fixtures.js';

describe('logging/no-log-uri', () => {
  it('fails when the cluster has no LogUri, naming the cluster', () => {
    const { logUri: _omit, ...noLog } = makeCluster({ name: 'etl' });
    const o = only(runCluster(check, noLog));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('etl');
    expect(o.message).toContain('j-TEST00000001');
  });

  it('passes with a LogUri and says where the logs go', () => {
    const o = only(runCluster(check, makeCluster({ logUri: 's3://my-logs/emr/' })));
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('s3://my-logs/emr/');
  });

  it('fails on an empty LogUri', () => {
    expect(only(runCluster(check, makeCluster({ logUri: '' }))).status).toBe('FAIL');
  });
});
