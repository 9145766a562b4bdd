/** Snapshots written before prefix lists, IPv6 addresses and the Kerberos/BPA rules still load, and fail closed. */
import { describe, expect, it } from 'vitest';
import { check as ssh } from '../../checks/network/ssh-from-internet.js';
import { check as auth } from '../../checks/authentication/no-authentication.js';
import { parseSnapshot } from '../../lib/snapshot.js';
import { ACCOUNT, makeCluster, makeGroup, only, runCluster } from '../helpers/fixtures.js';

const oldRegion = {
  region: 'us-east-1',
  clusters: [{ ...makeCluster(), kerberos: {} }],
  securityGroups: {
    'sg-master': makeGroup({ groupId: 'sg-master', ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, source: { type: 'prefixList', prefixListId: 'pl-old' } }] }),
    'sg-slave': makeGroup({ groupId: 'sg-slave' }),
  },
  ec2Instances: { 'i-1': { instanceId: 'i-1', publicIpAddress: '52.0.0.1' } },
  blockPublicAccess: { blockPublicSecurityGroupRules: true, permittedPortRanges: [{ minRange: 22, maxRange: 22 }] },
};

describe('snapshots of the previous schema', () => {
  it('load: no prefixLists (empty), no ipv6Addresses, kerberos {} kept as written', () => {
    const parsed = parseSnapshot({ schemaVersion: 1, collectedAt: '2026-11-23T12:00:00.000Z', accountId: ACCOUNT, regions: [oldRegion] });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const [region] = parsed.snapshot.regions;
    expect(region!.prefixLists).toEqual({});
    expect(region!.ec2Instances['i-1']).toEqual({ instanceId: 'i-1', publicIpAddress: '52.0.0.1' });
  });

  it('a prefix-list rule with no list data is ERROR, never PASS; kerberos {} is not Kerberos', () => {
    const cluster = oldRegion.clusters[0]!;
    expect(only(runCluster(ssh, cluster, { securityGroups: oldRegion.securityGroups })).status).toBe('ERROR');
    expect(only(runCluster(auth, { ...cluster, securityConfiguration: 'missing' })).status).toBe('ERROR');
  });
});
