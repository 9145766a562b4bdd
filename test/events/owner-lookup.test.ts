/** The one lookup of a change event: a default-VPC group's id by its name, the owners of a node. */
import { DescribeInstancesCommand, DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { EMR_CLUSTER_TAG } from '../../lib/collect/ec2.js';
import { lookupGroupIds, lookupOwners } from '../../lib/events/owner-lookup.js';

const ec2 = mockClient(EC2Client);
const client = new EC2Client({ region: 'eu-west-1' });
afterAll(() => ec2.restore());
beforeEach(() => ec2.reset());

describe('lookupGroupIds', () => {
  it('asks by GroupNames (the default VPC only, unlike the group-name filter) and keeps only the names asked', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        { GroupId: 'sg-1', GroupName: 'default', VpcId: 'vpc-default' },
        // An endpoint that ignores the names answers more: not taken.
        { GroupId: 'sg-2', GroupName: 'web', VpcId: 'vpc-default' },
      ],
    });
    expect(await lookupGroupIds(client, ['default', 'default'])).toEqual({ ok: true, groupIds: ['sg-1'], calls: 1 });
    expect(ec2.commandCalls(DescribeSecurityGroupsCommand).map((c) => c.args[0].input)).toEqual([{ GroupNames: ['default'] }]);
  });

  it('a name not found, or an answer naming none, is not resolved (the caller audits the region)', async () => {
    ec2.on(DescribeSecurityGroupsCommand).rejects(Object.assign(new Error("The security group 'gone' does not exist in default VPC 'vpc-1'"), { name: 'InvalidGroup.NotFound', $fault: 'client', $metadata: { httpStatusCode: 400 } }));
    expect(await lookupGroupIds(client, ['gone'])).toMatchObject({ ok: false, calls: 1, reason: expect.stringMatching(/^ec2:DescribeSecurityGroups InvalidGroup.NotFound/) as unknown });
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    expect(await lookupGroupIds(client, ['gone'])).toMatchObject({ ok: false, calls: 1, reason: expect.stringMatching(/no group of that name/) as unknown });
  });
});

describe('lookupOwners', () => {
  it("names the clusters of the matching nodes from EMR's system tag, the filter applied again", async () => {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            { InstanceId: 'i-1', SecurityGroups: [{ GroupId: 'sg-new' }], Tags: [{ Key: EMR_CLUSTER_TAG, Value: 'j-A' }] },
            { InstanceId: 'i-2', SecurityGroups: [{ GroupId: 'sg-other' }], Tags: [{ Key: EMR_CLUSTER_TAG, Value: 'j-FOREIGN' }] },
          ],
        },
      ],
    });
    expect(await lookupOwners(client, { Name: 'instance.group-id', Values: ['sg-new'] })).toEqual({ ok: true, clusterIds: ['j-A'], calls: 1 });
    expect(ec2.commandCalls(DescribeInstancesCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: 'instance.group-id', Values: ['sg-new'] },
      { Name: 'tag-key', Values: [EMR_CLUSTER_TAG] },
    ]);
  });
});
