/**
 * Every answer is checked before it is believed (lib/aws/answers.ts, lib/aws/clients.ts
 * `checkAnswers`): for every operation emr-audit calls, over loopback HTTP through the real SDK
 * clients, an HTML 200 page, an empty 200 body and another operation's valid answer are failed
 * calls — retried, then `UnexpectedAnswer` (or `UnreadableResponse`) naming the call — while a
 * valid answer with an empty list stays valid.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { DescribeInstancesCommand, DescribeManagedPrefixListsCommand, DescribeNetworkAclsCommand, DescribeRegionsCommand, DescribeRouteTablesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, GetManagedPrefixListEntriesCommand } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, DescribeSecurityConfigurationCommand, GetBlockPublicAccessConfigurationCommand, ListClustersCommand, ListInstanceFleetsCommand, ListInstanceGroupsCommand, ListInstancesCommand, ListReleaseLabelsCommand } from '@aws-sdk/client-emr';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetInstanceProfileCommand, GetPolicyCommand, GetPolicyVersionCommand, GetRoleCommand, GetRolePolicyCommand, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { BatchImportFindingsCommand, GetFindingsCommand } from '@aws-sdk/client-securityhub';
import { DescribeInstanceInformationCommand, GetServiceSettingCommand } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSWER_MEMBERS, UnexpectedAnswerError } from '../../lib/aws/answers.js';
import { createAwsClients, type AwsClients } from '../../lib/aws/clients.js';
import { failureOf } from '../../lib/collect/calls.js';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const HTML = '<!DOCTYPE html><html><head><title>Sign in to the network</title></head><body><p>Please accept the terms.</p></body></html>';

interface Answer {
  body: string;
  headers?: Record<string, string>;
}
let answer: Answer = { body: '' };
let requests = 0;
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  requests += 1;
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'x-amzn-requestid': 'e2e-request-id', ...answer.headers });
    res.end(answer.body);
  });
});

const saved = { ...process.env };
let clients: AwsClients;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  process.env.AWS_ACCESS_KEY_ID = 'AKIAANSWERCHECK00000';
  process.env.AWS_SECRET_ACCESS_KEY = 'answer-check-not-a-secret';
  clients = createAwsClients({ maxAttempts: 2, homeRegion: REGION, connectTimeoutMs: 1000, requestTimeoutMs: 2000 });
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  process.env = saved;
});

const iamXml = (op: string, result: string): Answer => ({
  body: `<${op}Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><${op}Result>${result}</${op}Result><ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata></${op}Response>`,
  headers: { 'content-type': 'text/xml' },
});
const ec2Xml = (op: string, inner: string): Answer => ({
  body: `<${op}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>${inner}</${op}Response>`,
  headers: { 'content-type': 'text/xml;charset=UTF-8' },
});
const json = (value: object, type = 'application/x-amz-json-1.1'): Answer => ({ body: JSON.stringify(value), headers: { 'content-type': type } });
const restJson = (value: object): Answer => json(value, 'application/json');
const when = '2026-01-01T00:00:00Z';
const roleXml = `<Role><Path>/</Path><RoleName>r</RoleName><RoleId>AROAEXAMPLE</RoleId><Arn>arn:aws:iam::${ACCOUNT}:role/r</Arn><CreateDate>${when}</CreateDate><AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument></Role>`;

interface Operation {
  api: string;
  send: (c: AwsClients) => Promise<unknown>;
  /** A real answer of the operation, its list (if any) empty. */
  valid: Answer;
  /** A real answer of another operation of the same service. */
  other: Answer;
}

const emr = (c: AwsClients) => c.forRegion(REGION).emr;
const ec2 = (c: AwsClients) => c.forRegion(REGION).ec2;
const ssm = (c: AwsClients) => c.forRegion(REGION).ssm;
const hub = (c: AwsClients) => c.forRegion(REGION).securityHub;
const emrOther = json({ ReleaseLabels: [] });
const ec2Other = ec2Xml('DescribeKeyPairs', '<keySet/>');
const iamOther = iamXml('ListUsers', '<IsTruncated>false</IsTruncated><Users/>');

const OPERATIONS: Operation[] = [
  { api: 'elasticmapreduce:ListClusters', send: (c) => emr(c).send(new ListClustersCommand({})), valid: json({ Clusters: [] }), other: emrOther },
  { api: 'elasticmapreduce:DescribeCluster', send: (c) => emr(c).send(new DescribeClusterCommand({ ClusterId: 'j-1' })), valid: json({ Cluster: { Id: 'j-1', Name: 'c', Status: { State: 'WAITING' } } }), other: emrOther },
  { api: 'elasticmapreduce:ListInstances', send: (c) => emr(c).send(new ListInstancesCommand({ ClusterId: 'j-1' })), valid: json({ Instances: [] }), other: emrOther },
  { api: 'elasticmapreduce:ListInstanceGroups', send: (c) => emr(c).send(new ListInstanceGroupsCommand({ ClusterId: 'j-1' })), valid: json({ InstanceGroups: [] }), other: json({ InstanceFleets: [] }) },
  { api: 'elasticmapreduce:ListInstanceFleets', send: (c) => emr(c).send(new ListInstanceFleetsCommand({ ClusterId: 'j-1' })), valid: json({ InstanceFleets: [] }), other: json({ InstanceGroups: [] }) },
  { api: 'elasticmapreduce:DescribeSecurityConfiguration', send: (c) => emr(c).send(new DescribeSecurityConfigurationCommand({ Name: 's' })), valid: json({ Name: 's', SecurityConfiguration: '{}', CreationDateTime: 1.7e9 }), other: emrOther },
  {
    api: 'elasticmapreduce:GetBlockPublicAccessConfiguration',
    send: (c) => emr(c).send(new GetBlockPublicAccessConfigurationCommand({})),
    valid: json({ BlockPublicAccessConfiguration: { BlockPublicSecurityGroupRules: false, PermittedPublicSecurityGroupRuleRanges: [] }, BlockPublicAccessConfigurationMetadata: { CreationDateTime: 1.7e9, CreatedByArn: `arn:aws:iam::${ACCOUNT}:root` } }),
    other: emrOther,
  },
  { api: 'elasticmapreduce:ListReleaseLabels', send: (c) => emr(c).send(new ListReleaseLabelsCommand({})), valid: json({ ReleaseLabels: [] }), other: json({ Clusters: [] }) },
  { api: 'ec2:DescribeSecurityGroups', send: (c) => ec2(c).send(new DescribeSecurityGroupsCommand({})), valid: ec2Xml('DescribeSecurityGroups', '<securityGroupInfo/>'), other: ec2Other },
  { api: 'ec2:DescribeInstances', send: (c) => ec2(c).send(new DescribeInstancesCommand({})), valid: ec2Xml('DescribeInstances', '<reservationSet/>'), other: ec2Xml('DescribeSubnets', '<subnetSet/>') },
  { api: 'ec2:DescribeManagedPrefixLists', send: (c) => ec2(c).send(new DescribeManagedPrefixListsCommand({})), valid: ec2Xml('DescribeManagedPrefixLists', '<prefixListSet/>'), other: ec2Other },
  { api: 'ec2:GetManagedPrefixListEntries', send: (c) => ec2(c).send(new GetManagedPrefixListEntriesCommand({ PrefixListId: 'pl-1' })), valid: ec2Xml('GetManagedPrefixListEntries', '<entrySet/>'), other: ec2Other },
  { api: 'ec2:DescribeSubnets', send: (c) => ec2(c).send(new DescribeSubnetsCommand({})), valid: ec2Xml('DescribeSubnets', '<subnetSet/>'), other: ec2Xml('DescribeInstances', '<reservationSet/>') },
  { api: 'ec2:DescribeRouteTables', send: (c) => ec2(c).send(new DescribeRouteTablesCommand({})), valid: ec2Xml('DescribeRouteTables', '<routeTableSet/>'), other: ec2Other },
  { api: 'ec2:DescribeNetworkAcls', send: (c) => ec2(c).send(new DescribeNetworkAclsCommand({})), valid: ec2Xml('DescribeNetworkAcls', '<networkAclSet/>'), other: ec2Other },
  { api: 'ec2:DescribeRegions', send: (c) => ec2(c).send(new DescribeRegionsCommand({})), valid: ec2Xml('DescribeRegions', '<regionInfo/>'), other: ec2Other },
  {
    api: 'iam:GetInstanceProfile',
    send: (c) => c.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'p' })),
    valid: iamXml('GetInstanceProfile', `<InstanceProfile><Path>/</Path><InstanceProfileName>p</InstanceProfileName><InstanceProfileId>AIPAEXAMPLE</InstanceProfileId><Arn>arn:aws:iam::${ACCOUNT}:instance-profile/p</Arn><CreateDate>${when}</CreateDate><Roles/></InstanceProfile>`),
    other: iamOther,
  },
  { api: 'iam:GetRole', send: (c) => c.iam.send(new GetRoleCommand({ RoleName: 'r' })), valid: iamXml('GetRole', roleXml), other: iamOther },
  { api: 'iam:ListAttachedRolePolicies', send: (c) => c.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'r' })), valid: iamXml('ListAttachedRolePolicies', '<IsTruncated>false</IsTruncated><AttachedPolicies/>'), other: iamXml('ListRolePolicies', '<IsTruncated>false</IsTruncated><PolicyNames/>') },
  { api: 'iam:ListRolePolicies', send: (c) => c.iam.send(new ListRolePoliciesCommand({ RoleName: 'r' })), valid: iamXml('ListRolePolicies', '<IsTruncated>false</IsTruncated><PolicyNames/>'), other: iamXml('ListAttachedRolePolicies', '<IsTruncated>false</IsTruncated><AttachedPolicies/>') },
  { api: 'iam:GetRolePolicy', send: (c) => c.iam.send(new GetRolePolicyCommand({ RoleName: 'r', PolicyName: 'p' })), valid: iamXml('GetRolePolicy', '<RoleName>r</RoleName><PolicyName>p</PolicyName><PolicyDocument>%7B%7D</PolicyDocument>'), other: iamOther },
  { api: 'iam:GetPolicy', send: (c) => c.iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/P' })), valid: iamXml('GetPolicy', '<Policy><PolicyName>P</PolicyName><Arn>arn:aws:iam::aws:policy/P</Arn><DefaultVersionId>v1</DefaultVersionId></Policy>'), other: iamOther },
  { api: 'iam:GetPolicyVersion', send: (c) => c.iam.send(new GetPolicyVersionCommand({ PolicyArn: 'arn:aws:iam::aws:policy/P', VersionId: 'v1' })), valid: iamXml('GetPolicyVersion', '<PolicyVersion><Document>%7B%7D</Document><VersionId>v1</VersionId><IsDefaultVersion>true</IsDefaultVersion></PolicyVersion>'), other: iamOther },
  { api: 'ssm:DescribeInstanceInformation', send: (c) => ssm(c).send(new DescribeInstanceInformationCommand({})), valid: json({ InstanceInformationList: [] }), other: json({ ServiceSetting: { SettingId: '/x', SettingValue: 'y' } }) },
  { api: 'ssm:GetServiceSetting', send: (c) => ssm(c).send(new GetServiceSettingCommand({ SettingId: '/x' })), valid: json({ ServiceSetting: { SettingId: '/x', SettingValue: '$None' } }), other: json({ InstanceInformationList: [] }) },
  {
    api: 'sts:GetCallerIdentity',
    send: (c) => c.sts.send(new GetCallerIdentityCommand({})),
    valid: { ...iamXml('GetCallerIdentity', `<Arn>arn:aws:iam::${ACCOUNT}:user/a</Arn><UserId>AIDAEXAMPLE</UserId><Account>${ACCOUNT}</Account>`), body: iamXml('GetCallerIdentity', `<Arn>arn:aws:iam::${ACCOUNT}:user/a</Arn><UserId>AIDAEXAMPLE</UserId><Account>${ACCOUNT}</Account>`).body.replace('iam.amazonaws.com/doc/2010-05-08', 'sts.amazonaws.com/doc/2011-06-15') },
    other: iamXml('GetSessionToken', '<Credentials><AccessKeyId>AKIAOTHER</AccessKeyId></Credentials>'),
  },
  { api: 'tag:GetResources', send: (c) => c.forRegion(REGION).tagging.send(new GetResourcesCommand({})), valid: json({ PaginationToken: '', ResourceTagMappingList: [] }), other: json({ TagKeys: [] }) },
  { api: 's3:GetObject', send: (c) => c.s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' })), valid: { body: '', headers: { etag: '"d41d8cd98f00b204e9800998ecf8427e"', 'content-type': 'application/json' } }, other: { body: '<ListAllMyBucketsResult><Buckets/></ListAllMyBucketsResult>', headers: { 'content-type': 'application/xml' } } },
  { api: 's3:PutObject', send: (c) => c.s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: '{}' })), valid: { body: '', headers: { etag: '"99914b932bd37a50b983c5e7c90ae93b"' } }, other: { body: '<ListAllMyBucketsResult><Buckets/></ListAllMyBucketsResult>', headers: { 'content-type': 'application/xml' } } },
  { api: 'securityhub:GetFindings', send: (c) => hub(c).send(new GetFindingsCommand({})), valid: restJson({ Findings: [] }), other: restJson({ FailedCount: 0, SuccessCount: 0, FailedFindings: [] }) },
  { api: 'securityhub:BatchImportFindings', send: (c) => hub(c).send(new BatchImportFindingsCommand({ Findings: [] })), valid: restJson({ FailedCount: 0, SuccessCount: 0, FailedFindings: [] }), other: restJson({ Findings: [] }) },
  { api: 'events:PutEvents', send: (c) => c.events.send(new PutEventsCommand({ Entries: [{ Source: 'emr-audit', DetailType: 'Run EMR audit', Detail: '{}' }] })), valid: json({ FailedEntryCount: 0, Entries: [] }), other: json({ Rules: [] }) },
  {
    // The change-event follow-up queue (awsJson1_0; the SDK checks the body's MD5 too).
    api: 'sqs:SendMessage',
    send: (c) => c.sqs!.send(new SendMessageCommand({ QueueUrl: `${process.env.AWS_ENDPOINT_URL!}/${ACCOUNT}/follow-ups`, MessageBody: '{}' })),
    valid: json({ MessageId: '5fea7756-0ea4-451a-a703-a558b933e274', MD5OfMessageBody: createHash('md5').update('{}').digest('hex') }, 'application/x-amz-json-1.0'),
    other: json({ QueueUrls: [] }, 'application/x-amz-json-1.0'),
  },
];

async function failed(op: Operation): Promise<ReturnType<typeof failureOf>> {
  try {
    await op.send(clients);
  } catch (e) {
    return failureOf(op.api, e);
  }
  throw new Error(`${op.api}: the answer was believed`);
}

describe('answers checked before they are believed', () => {
  it('covers every operation of the table, and the table every operation tested', () => {
    const inTable = Object.entries(ANSWER_MEMBERS).flatMap(([service, ops]) => Object.keys(ops).map((op) => `${service}:${op}`));
    expect(OPERATIONS.map((o) => o.api).sort()).toEqual(inTable.sort());
  });

  describe.each(OPERATIONS.map((o) => [o.api, o] as const))('%s', (_api, op) => {
    it('believes a real answer, an empty list staying an empty list', async () => {
      answer = op.valid;
      await expect(op.send(clients)).resolves.toBeDefined();
    });

    it.each([
      ['an HTML 200 page', (): Answer => ({ body: HTML, headers: { 'content-type': 'text/html' } })],
      ['an empty 200 body', (): Answer => ({ body: '' })],
      ["another operation's valid answer", (): Answer => op.other],
    ])('refuses %s: retried, then a failed call naming it', async (_what, make) => {
      answer = make();
      requests = 0;
      const failure = await failed(op);
      expect(requests).toBe(2);
      expect(failure.code).toMatch(/^(UnexpectedAnswer|UnreadableResponse)$/);
      expect(failure.message).not.toContain('Please accept');
      if (failure.code === 'UnexpectedAnswer') expect(failure.message).toContain(`unexpected answer: ${op.api} answered HTTP 200 without`);
    });
  });

  it('UnexpectedAnswer carries the retry trait and the status', () => {
    const e = new UnexpectedAnswerError('iam:ListAttachedRolePolicies', ['AttachedPolicies', 'IsTruncated'], 200);
    expect(e).toMatchObject({ name: 'UnexpectedAnswer', $retryable: { throttling: false }, $metadata: { httpStatusCode: 200 } });
    expect(failureOf('iam:ListAttachedRolePolicies', e)).toMatchObject({ code: 'UnexpectedAnswer', httpStatus: 200 });
  });
});
