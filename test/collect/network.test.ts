/**
 * Collectors of the network and exposure data: managed prefix lists named by the groups' rules
 * (described in batches, customer-managed entries read once each, to the last page), the public
 * addresses EC2 reports (Elastic IP, IPv6), empty KerberosAttributes and block public access ranges.
 */
import { DescribeManagedPrefixListsCommand, DescribeSecurityGroupsCommand, GetManagedPrefixListEntriesCommand } from '@aws-sdk/client-ec2';
import type { KerberosAttributes } from '@aws-sdk/client-emr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearPolicyVersionCache } from '../../lib/collect/index.js';
import { CHECKS } from '../../checks/index.js';
import { FakeAccount, type FakeMocks, type FakePrefixList } from '../helpers/fake-account.js';
import { collect, defaultCluster, regionOf } from './harness.js';

let mocks: FakeMocks;
let fake: FakeAccount;

beforeEach(() => {
  clearPolicyVersionCache();
  fake = new FakeAccount().withDefaults();
  mocks = fake.mock();
});
afterEach(() => mocks.restore());

const entries = (n: number): FakePrefixList['entries'] => Array.from({ length: n }, (_, i) => ({ Cidr: `10.${Math.floor(i / 256)}.${i % 256}.0/24`, Description: `office ${i}` }));

/** sg-master with one tcp 22 rule from each prefix list. */
function masterFrom(...prefixListIds: string[]): void {
  fake.addSecurityGroup({
    groupId: 'sg-master',
    groupName: 'ElasticMapReduce-master',
    ipPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, PrefixListIds: prefixListIds.map((PrefixListId) => ({ PrefixListId })) }],
  });
}

describe('managed prefix lists', () => {
  it('describes the lists the rules name in one call, and reads each customer list once, to its last page', async () => {
    fake
      .addPrefixList({ prefixListId: 'pl-0corp', name: 'corp', entries: [...entries(230), { Cidr: '0.0.0.0/0', Description: 'oops' }] })
      .addPrefixList({ prefixListId: 'pl-0aws', name: 'com.amazonaws.us-east-1.s3', ownerId: 'AWS', entries: [{ Cidr: '52.216.0.0/15' }] })
      .addPrefixList({ prefixListId: 'pl-0unused', name: 'unused', entries: [] });
    masterFrom('pl-0corp', 'pl-0aws');
    fake.addSecurityGroup({ groupId: 'sg-slave', ipPermissions: [{ IpProtocol: '-1', PrefixListIds: [{ PrefixListId: 'pl-0corp' }] }] });
    for (const id of ['j-1', 'j-2', 'j-3']) fake.addCluster(defaultCluster(id));

    const r = regionOf(await collect(fake));

    expect(r.errors).toEqual([]);
    const describes = mocks.ec2.commandCalls(DescribeManagedPrefixListsCommand);
    expect(describes).toHaveLength(1);
    expect(describes[0]!.args[0].input.PrefixListIds).toEqual(['pl-0corp', 'pl-0aws']);
    // 231 entries in pages of 100: three calls, for the customer list only (AWS-managed lists are not read).
    const gets = mocks.ec2.commandCalls(GetManagedPrefixListEntriesCommand);
    expect(gets.map((c) => [c.args[0].input.PrefixListId, c.args[0].input.NextToken])).toEqual([
      ['pl-0corp', undefined],
      ['pl-0corp', 'page-100'],
      ['pl-0corp', 'page-200'],
    ]);
    expect(Object.keys(r.prefixLists).sort()).toEqual(['pl-0aws', 'pl-0corp']);
    expect(r.prefixLists['pl-0aws']).toEqual({ prefixListId: 'pl-0aws', name: 'com.amazonaws.us-east-1.s3', ownerId: 'AWS', addressFamily: 'IPv4' });
    const corp = r.prefixLists['pl-0corp']!;
    expect(corp).toMatchObject({ prefixListId: 'pl-0corp', name: 'corp', ownerId: fake.accountId, addressFamily: 'IPv4' });
    expect(corp.entries).toHaveLength(231);
    expect(corp.entries?.[0]).toEqual({ cidr: '10.0.0.0/24', description: 'office 0' });
    expect(corp.entries?.at(-1)).toEqual({ cidr: '0.0.0.0/0', description: 'oops' });
  });

  it('pages DescribeManagedPrefixLists across pages', async () => {
    fake = new FakeAccount({ pageSizes: { 'ec2:DescribeManagedPrefixLists': 2 } }).withDefaults();
    mocks.restore();
    mocks = fake.mock();
    for (const id of ['pl-01', 'pl-02', 'pl-03']) fake.addPrefixList({ prefixListId: id, name: id, entries: [{ Cidr: '192.168.0.0/16' }] });
    masterFrom('pl-01', 'pl-02', 'pl-03');
    fake.addCluster(defaultCluster('j-1'));

    const r = regionOf(await collect(fake));

    expect(mocks.ec2.commandCalls(DescribeManagedPrefixListsCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'page-2']);
    expect(Object.keys(r.prefixLists).sort()).toEqual(['pl-01', 'pl-02', 'pl-03']);
    expect(mocks.ec2.commandCalls(GetManagedPrefixListEntriesCommand)).toHaveLength(3);
  });

  it('AccessDenied on the entries: the list is kept without entries and a prefixList error says why', async () => {
    fake.addPrefixList({ prefixListId: 'pl-0corp', name: 'corp', entries: entries(3) }).fail('ec2:GetManagedPrefixListEntries', { code: 'UnauthorizedOperation', message: 'not authorized' });
    masterFrom('pl-0corp');
    fake.addCluster(defaultCluster('j-1'));

    const r = regionOf(await collect(fake));

    expect(r.prefixLists['pl-0corp']).toEqual({ prefixListId: 'pl-0corp', name: 'corp', ownerId: fake.accountId, addressFamily: 'IPv4' });
    expect(r.errors).toEqual([{ kind: 'prefixList', resourceId: 'pl-0corp', api: 'ec2:GetManagedPrefixListEntries', code: 'UnauthorizedOperation', message: 'not authorized' }]);
  });

  it('AccessDenied on DescribeManagedPrefixLists: an error for each list of the batch, no entries read', async () => {
    fake
      .addPrefixList({ prefixListId: 'pl-01', name: 'a', entries: [] })
      .addPrefixList({ prefixListId: 'pl-02', name: 'b', entries: [] })
      .fail('ec2:DescribeManagedPrefixLists', { code: 'AccessDenied', message: 'denied' });
    masterFrom('pl-01', 'pl-02');
    fake.addCluster(defaultCluster('j-1'));

    const r = regionOf(await collect(fake));

    expect(r.prefixLists).toEqual({});
    expect(r.errors.map((e) => [e.kind, e.resourceId, e.api, e.code])).toEqual([
      ['prefixList', 'pl-01', 'ec2:DescribeManagedPrefixLists', 'AccessDenied'],
      ['prefixList', 'pl-02', 'ec2:DescribeManagedPrefixLists', 'AccessDenied'],
    ]);
    expect(mocks.ec2.commandCalls(GetManagedPrefixListEntriesCommand)).toHaveLength(0);
  });

  it('a deleted list is NotFound without losing the others of the batch', async () => {
    fake.addPrefixList({ prefixListId: 'pl-0here', name: 'here', entries: [{ Cidr: '198.51.100.0/24' }] });
    masterFrom('pl-0gone', 'pl-0here');
    fake.addCluster(defaultCluster('j-1'));

    const r = regionOf(await collect(fake));

    expect(r.prefixLists['pl-0here']?.entries).toEqual([{ cidr: '198.51.100.0/24' }]);
    expect(r.errors.map((e) => [e.kind, e.resourceId, e.code])).toEqual([['prefixList', 'pl-0gone', 'NotFound']]);
  });

  it('makes no prefix-list call when no rule names a list, or when no selected check judges sources', async () => {
    fake.addCluster(defaultCluster('j-1'));
    await collect(fake);
    expect(mocks.ec2.commandCalls(DescribeManagedPrefixListsCommand)).toHaveLength(0);

    mocks.restore();
    mocks = fake.mock();
    fake.addPrefixList({ prefixListId: 'pl-01', name: 'a', entries: [] });
    masterFrom('pl-01');
    await collect(fake, { checks: CHECKS.filter((c) => c.id === 'network/cluster-manager-port-exposed') });
    expect(mocks.ec2.commandCalls(DescribeSecurityGroupsCommand)).toHaveLength(1);
    expect(mocks.ec2.commandCalls(DescribeManagedPrefixListsCommand)).toHaveLength(0);
  });
});

describe('public addresses from EC2', () => {
  it('keeps an Elastic IP associated after launch and every IPv6 address of the network interfaces', async () => {
    fake.addCluster(
      defaultCluster('j-1', {
        instances: [
          { ec2Id: 'i-eip', role: 'MASTER', elasticIp: '54.1.2.3' },
          { ec2Id: 'i-v6', role: 'CORE', ipv6: ['2600:1f18:abcd::10', 'fe80::1'] },
          { ec2Id: 'i-plain', role: 'CORE' },
        ],
      }),
    );

    const r = regionOf(await collect(fake));

    expect(r.ec2Instances['i-eip']?.publicIpAddress).toBe('54.1.2.3');
    // The nodes themselves now come from EC2 (by EMR's system tag), so the node carries it too.
    expect(r.clusters[0]?.instances?.find((i) => i.ec2InstanceId === 'i-eip')?.publicIpAddress).toBe('54.1.2.3');
    expect(r.ec2Instances['i-v6']?.ipv6Addresses).toEqual(['2600:1f18:abcd::10', 'fe80::1']);
    expect(r.ec2Instances['i-plain']).not.toHaveProperty('ipv6Addresses');
    expect(r.ec2Instances['i-plain']).not.toHaveProperty('publicIpAddress');
  });
});

describe('cluster and account settings mapping', () => {
  it('KerberosAttributes {} is not Kerberos: nothing is stored', async () => {
    fake.addCluster(defaultCluster('j-empty', { kerberos: {} as KerberosAttributes })).addCluster(defaultCluster('j-realm', { kerberos: { Realm: 'EC2.INTERNAL', KdcAdminPassword: 'Secret-1' } }));

    const snap = await collect(fake);
    const r = regionOf(snap);

    expect(r.clusters.find((c) => c.id === 'j-empty')).not.toHaveProperty('kerberos');
    expect(r.clusters.find((c) => c.id === 'j-realm')?.kerberos).toEqual({ realm: 'EC2.INTERNAL' });
    expect(JSON.stringify(snap)).not.toContain('Secret-1');
  });

  it('block public access: a range without MinRange is kept (the check answers ERROR), not dropped', async () => {
    fake.setBlockPublicAccess({ BlockPublicSecurityGroupRules: true, PermittedPublicSecurityGroupRuleRanges: [{ MinRange: 22, MaxRange: 22 }, { MaxRange: 8080 } as unknown as { MinRange: number }] });

    const r = regionOf(await collect(fake));

    expect(r.blockPublicAccess).toEqual({ blockPublicSecurityGroupRules: true, permittedPortRanges: [{ minRange: 22, maxRange: 22 }, { maxRange: 8080 }], isDefault: false });
  });
});
