/**
 * The per-cluster pipeline: no stage waits for every cluster, full batches go out as soon as they
 * are full, and the pipeline still makes the minimum number of calls.
 */
import {
  DescribeClusterCommand,
  DescribeSecurityConfigurationCommand,
  ListClustersCommand,
  ListInstanceGroupsCommand,
  ListInstancesCommand,
} from '@aws-sdk/client-emr';
import { DescribeInstancesCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { GetInstanceProfileCommand } from '@aws-sdk/client-iam';
import { DescribeInstanceInformationCommand } from '@aws-sdk/client-ssm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StreamingBatcher } from '../../lib/collect/calls.js';
import { clearPolicyVersionCache } from '../../lib/collect/index.js';
import { LISTING_WINDOW } from '../../lib/collect/region.js';
import { defaultSettings } from '../../lib/settings.js';
import { FakeAccount, REGION, type FakeMocks } from '../helpers/fake-account.js';
import { collect, regionOf, untaggedCluster } from './harness.js';

let fake: FakeAccount;
let mocks: FakeMocks;

beforeEach(() => {
  clearPolicyVersionCache();
  fake = new FakeAccount().withDefaults();
  mocks = fake.mock();
});
afterEach(() => mocks.restore());

/** Pacing is tested on its own; here it must not slow the fake account down. */
const unpaced = { settings: { ...defaultSettings(), rateMultiplier: 100 } };

function deferred(): { promise: Promise<void>; release: () => void } {
  let release = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { promise, release };
}

type Input = Record<string, unknown>;

describe('per-cluster pipeline', () => {
  it("the fallback listing and the lookups of cluster B go out while cluster A's DescribeCluster has not answered", async () => {
    fake
      .addSecurityConfiguration('sec-a', { EncryptionConfiguration: {} })
      .addSecurityConfiguration('sec-b', { EncryptionConfiguration: {} })
      .addInstanceProfile('profile-b', ['EMR_EC2_DefaultRole'])
      .addCluster(untaggedCluster('j-a', { securityConfiguration: 'sec-a' }))
      .addCluster(untaggedCluster('j-b', { securityConfiguration: 'sec-b', instanceProfile: 'profile-b' }));
    const events: string[] = [];
    const gate = deferred();
    // Released by the test once B's work is seen, or after a while so a failure cannot hang.
    const timeout = setTimeout(gate.release, 2000);
    mocks.emr.on(DescribeClusterCommand).callsFake(async (input: Input) => {
      if (input.ClusterId === 'j-a') await gate.promise;
      const out = await fake.handle('elasticmapreduce:DescribeCluster', input, REGION);
      events.push(`DescribeCluster ${String(input.ClusterId)} answered`);
      return out;
    });
    const seen = (event: string): void => {
      events.push(event);
      const b = ['ListInstances j-b', 'ListInstanceGroups j-b', 'DescribeSecurityConfiguration sec-b', 'GetInstanceProfile profile-b'];
      if (b.every((e) => events.includes(e))) gate.release();
    };
    mocks.emr.on(ListInstancesCommand).callsFake((input: Input) => {
      seen(`ListInstances ${String(input.ClusterId)}`);
      return fake.handle('elasticmapreduce:ListInstances', input, REGION);
    });
    mocks.emr.on(ListInstanceGroupsCommand).callsFake((input: Input) => {
      seen(`ListInstanceGroups ${String(input.ClusterId)}`);
      return fake.handle('elasticmapreduce:ListInstanceGroups', input, REGION);
    });
    mocks.emr.on(DescribeSecurityConfigurationCommand).callsFake((input: Input) => {
      seen(`DescribeSecurityConfiguration ${String(input.Name)}`);
      return fake.handle('elasticmapreduce:DescribeSecurityConfiguration', input, REGION);
    });
    mocks.iam.on(GetInstanceProfileCommand).callsFake((input: Input) => {
      seen(`GetInstanceProfile ${String(input.InstanceProfileName)}`);
      return fake.handle('iam:GetInstanceProfile', input, REGION);
    });

    const r = regionOf(await collect(fake));
    clearTimeout(timeout);

    const aAnswered = events.indexOf('DescribeCluster j-a answered');
    expect(aAnswered).toBeGreaterThan(-1);
    for (const e of ['ListInstances j-b', 'ListInstanceGroups j-b', 'DescribeSecurityConfiguration sec-b', 'GetInstanceProfile profile-b']) {
      expect(events.indexOf(e), e).toBeGreaterThan(-1);
      expect(events.indexOf(e), e).toBeLessThan(aAnswered);
    }
    // A's own follow-ups wait for its description (they depend on what it says; a cluster that
    // cannot be described is not listed at all).
    expect(events.indexOf('ListInstances j-a')).toBeGreaterThan(aAnswered);
    expect(events.indexOf('ListInstanceGroups j-a')).toBeGreaterThan(aAnswered);
    expect(events.indexOf('DescribeSecurityConfiguration sec-a')).toBeGreaterThan(aAnswered);
    // And the result is complete.
    expect(r.errors).toEqual([]);
    expect(r.clusters.map((c) => [c.id, c.described, c.instances?.length])).toEqual([
      ['j-a', true, 3],
      ['j-b', true, 3],
    ]);
    expect(Object.keys(r.securityConfigurations).sort()).toEqual(['sec-a', 'sec-b']);
    expect(Object.keys(r.instanceProfiles).sort()).toEqual(['EMR_EC2_DefaultRole', 'profile-b']);
  });

  it('a full DescribeInstances batch (200) and full SSM batches (50) go out before the last cluster is listed; the remainder after', async () => {
    // 1 MASTER + 199 CORE: exactly one full EC2 batch and four full SSM batches.
    fake.addCluster(untaggedCluster('j-big', { instances: FakeAccount.nodes('j-big', 199) }));
    fake.addCluster(untaggedCluster('j-small', { instances: FakeAccount.nodes('j-small', 2) }));
    const events: string[] = [];
    const gate = deferred();
    const timeout = setTimeout(gate.release, 2000);
    mocks.emr.on(ListInstancesCommand).callsFake(async (input: Input) => {
      if (input.ClusterId === 'j-small') await gate.promise;
      const out = await fake.handle('elasticmapreduce:ListInstances', input, REGION);
      if (input.ClusterId === 'j-small') events.push('ListInstances j-small answered');
      return out;
    });
    mocks.ec2.on(DescribeInstancesCommand).callsFake((input: { InstanceIds?: string[] }) => {
      events.push(`DescribeInstances ${input.InstanceIds?.length ?? 0}`);
      return fake.handle('ec2:DescribeInstances', input, REGION);
    });
    mocks.ssm.on(DescribeInstanceInformationCommand).callsFake((input: { Filters?: Array<{ Values?: string[] }> }) => {
      const n = input.Filters?.[0]?.Values?.length ?? 0;
      events.push(`DescribeInstanceInformation ${n}`);
      if (events.filter((e) => e === 'DescribeInstanceInformation 50').length === 4 && events.includes('DescribeInstances 200')) gate.release();
      return fake.handle('ssm:DescribeInstanceInformation', input, REGION);
    });

    const r = regionOf(await collect(fake, unpaced));
    clearTimeout(timeout);

    const listed = events.indexOf('ListInstances j-small answered');
    // `DescribeInstances 0`: the region's node query by system tag (it finds none of these).
    expect(events.slice(0, listed).sort()).toEqual(['DescribeInstanceInformation 50', 'DescribeInstanceInformation 50', 'DescribeInstanceInformation 50', 'DescribeInstanceInformation 50', 'DescribeInstances 0', 'DescribeInstances 200']);
    expect(events.slice(listed + 1).sort()).toEqual(['DescribeInstanceInformation 3', 'DescribeInstances 3']);
    expect(Object.keys(r.ec2Instances)).toHaveLength(203);
    expect(r.ssmQueried).toHaveLength(203);
    expect(r.errors).toEqual([]);
  });

  it('makes the minimum number of calls on a mixed account, whatever order answers come in', async () => {
    // A deterministic mix: clusters of 0 to 130 instances, some on fleets, three security
    // configurations, two instance profiles, extra security groups, answers with varying delays.
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    fake.addInstanceProfile('profile-2', ['EMR_EC2_DefaultRole']);
    for (const name of ['sec-0', 'sec-1', 'sec-2']) fake.addSecurityConfiguration(name, { EncryptionConfiguration: {} });
    for (let g = 0; g < 5; g++) fake.addSecurityGroup({ groupId: `sg-extra-${g}`, groupName: `extra-${g}`, vpcId: 'vpc-1' });
    let running = 0;
    let listPages = 0;
    let withInstances = 0;
    let fleets = 0;
    for (let c = 0; c < 25; c++) {
      const id = `j-${String(c).padStart(2, '0')}`;
      const core = rand(4) === 0 ? 0 : rand(130);
      const instances = core === 0 && rand(2) === 0 ? [] : FakeAccount.nodes(id, core);
      running += instances.length;
      listPages += Math.max(1, Math.ceil(instances.length / 50));
      if (instances.length > 0) withInstances += 1;
      const fleet = rand(3) === 0;
      if (fleet && instances.length > 0) fleets += 1;
      fake.addCluster(
        untaggedCluster(id, {
          instances,
          securityConfiguration: `sec-${rand(3)}`,
          instanceProfile: rand(2) === 0 ? 'EMR_EC2_DefaultRole' : 'profile-2',
          additionalMasterSgs: [`sg-extra-${rand(5)}`],
          ...(fleet ? { collectionType: 'INSTANCE_FLEET' as const } : {}),
        }),
      );
    }
    // Random answer delays on the busiest APIs, so the pipeline's stages interleave differently.
    for (const [command, api] of [
      [DescribeClusterCommand, 'elasticmapreduce:DescribeCluster'],
      [ListInstancesCommand, 'elasticmapreduce:ListInstances'],
    ] as const) {
      mocks.emr.on(command).callsFake(async (input: Input) => {
        await new Promise((resolve) => setTimeout(resolve, rand(6)));
        return fake.handle(api, input, REGION);
      });
    }

    const r = regionOf(await collect(fake, unpaced));

    expect(r.errors).toEqual([]);
    expect(r.clusters.every((c) => c.described)).toBe(true);
    expect(mocks.emr.commandCalls(ListClustersCommand)).toHaveLength(1);
    expect(mocks.emr.commandCalls(DescribeClusterCommand)).toHaveLength(25);
    expect(mocks.emr.commandCalls(ListInstancesCommand)).toHaveLength(listPages);
    expect(fake.count('elasticmapreduce:ListInstanceGroups') + fake.count('elasticmapreduce:ListInstanceFleets')).toBe(withInstances);
    expect(fake.count('elasticmapreduce:ListInstanceFleets')).toBe(fleets);
    expect(mocks.emr.commandCalls(DescribeSecurityConfigurationCommand)).toHaveLength(3);
    expect(mocks.ec2.commandCalls(DescribeSecurityGroupsCommand)).toHaveLength(1);
    // The node query by system tag, then the fallback clusters' nodes by id.
    expect(mocks.ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(1 + Math.ceil(running / 200));
    expect(mocks.ssm.commandCalls(DescribeInstanceInformationCommand)).toHaveLength(Math.ceil(running / 50));
    expect(mocks.iam.commandCalls(GetInstanceProfileCommand)).toHaveLength(2);
    // Every batch but the last of each kind is full.
    const ec2Sizes = mocks.ec2.commandCalls(DescribeInstancesCommand).flatMap((c) => c.args[0].input.InstanceIds?.length ?? []);
    expect(ec2Sizes.filter((n) => n !== 200).length).toBeLessThanOrEqual(1);
    const ssmSizes = mocks.ssm.commandCalls(DescribeInstanceInformationCommand).map((c) => c.args[0].input.Filters?.[0]?.Values?.length ?? 0);
    expect(ssmSizes.filter((n) => n !== 50).length).toBeLessThanOrEqual(1);
    expect(Object.keys(r.ec2Instances)).toHaveLength(running);
    expect(r.ssmQueried).toEqual([...r.ssmQueried].sort());
  });

  it("a large cluster's next instance page does not wait behind every other cluster's first page", async () => {
    const big = 'j-00';
    fake.addCluster(untaggedCluster(big, { instances: FakeAccount.nodes(big, 119) }));
    for (let c = 1; c < 30; c++) fake.addCluster(untaggedCluster(`j-${String(c).padStart(2, '0')}`));
    const order: string[] = [];
    mocks.emr.on(ListInstancesCommand).callsFake(async (input: Input) => {
      order.push(`${String(input.ClusterId)}${input.Marker ? ' next' : ''}`);
      await new Promise((resolve) => setTimeout(resolve, 1));
      return fake.handle('elasticmapreduce:ListInstances', input, REGION);
    });

    const r = regionOf(await collect(fake, unpaced));

    expect(r.clusters.find((c) => c.id === big)?.instances).toHaveLength(120);
    const firstOfBig = order.indexOf(big);
    const pagesOfBig = order.map((o, i) => (o === `${big} next` ? i : -1)).filter((i) => i >= 0);
    expect(pagesOfBig).toHaveLength(2);
    // Within the listing window: at most LISTING_WINDOW other clusters' first pages in between.
    for (const i of pagesOfBig) expect(i - firstOfBig).toBeLessThanOrEqual(2 * LISTING_WINDOW);
    expect(order).toHaveLength(32);
  });

  it('a cluster that cannot be described is never listed', async () => {
    const n = LISTING_WINDOW + 4;
    for (let c = 0; c < n; c++) fake.addCluster(untaggedCluster(`j-${String(c).padStart(2, '0')}`));
    fake.fail('elasticmapreduce:DescribeCluster', { code: 'AccessDeniedException', message: 'denied' });
    mocks.emr.on(ListInstancesCommand).callsFake(async (input: Input) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return fake.handle('elasticmapreduce:ListInstances', input, REGION);
    });

    const r = regionOf(await collect(fake, unpaced));

    expect(r.clusters.every((c) => !c.described && c.instances === undefined)).toBe(true);
    expect(r.errors.filter((e) => e.kind === 'cluster')).toHaveLength(n);
    expect(fake.count('elasticmapreduce:ListInstances')).toBe(0);
    expect(fake.count('elasticmapreduce:ListInstanceGroups')).toBe(0);
    // Only the region's node query, made before any description answered.
    expect(fake.count('ec2:DescribeInstances')).toBe(1);
  });
});

describe('StreamingBatcher', () => {
  it('sends each full batch at once, the remainder only at finish, each id once', async () => {
    const sent: string[][] = [];
    const b = new StreamingBatcher(3, (batch) => {
      sent.push(batch);
      return Promise.resolve();
    });
    b.add(['a', 'b']);
    expect(sent).toEqual([]);
    b.add(['b', 'c', 'd']);
    expect(sent).toEqual([['a', 'b', 'c']]);
    b.add(['a', 'e', 'f', 'g']);
    expect(sent).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e', 'f'],
    ]);
    await b.finish();
    expect(sent).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e', 'f'],
      ['g'],
    ]);
    expect(b.count).toBe(7);
  });

  it('finish waits for every batch; nothing is sent for no ids; add after finish is a bug', async () => {
    let done = 0;
    const b = new StreamingBatcher(2, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      done += 1;
    });
    b.add(['a', 'b', 'c']);
    await b.finish();
    expect(done).toBe(2);
    expect(() => b.add(['d'])).toThrow(/after finish/);

    let calls = 0;
    const empty = new StreamingBatcher(2, () => {
      calls += 1;
      return Promise.resolve();
    });
    await empty.finish();
    expect(calls).toBe(0);
    expect(() => new StreamingBatcher(0, () => Promise.resolve())).toThrow(/positive/);
  });
});
