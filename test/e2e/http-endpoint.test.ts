/** The simulator served over loopback HTTP: routing by signature scope, injection, clean close. */
import { connect } from 'node:net';
import { GetRoleCommand, IAMClient, NoSuchEntityException } from '@aws-sdk/client-iam';
import { DescribeHubCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it } from 'vitest';
import { buildAccount } from '../../scripts/bench/account.js';
import { serviceOf, startHttpEndpoint, type HttpEndpoint } from '../../scripts/bench/http-endpoint.js';
import { Simulator } from '../../scripts/bench/simulator.js';
import { queryError } from '../../scripts/bench/wire.js';

const account = buildAccount({ n: 2, seed: 3 });
const credentials = { accessKeyId: 'AKIAEMRAUDITE2E00000', secretAccessKey: 'e2e-not-a-real-secret-key' };
const scope = (name: string): Record<string, string> => ({ authorization: `AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/${name}/aws4_request, SignedHeaders=host, Signature=00` });

let open: HttpEndpoint[] = [];
afterEach(async () => {
  await Promise.all(open.map((ep) => ep.close()));
  open = [];
});
async function start(intercept?: Parameters<typeof startHttpEndpoint>[0]['intercept']): Promise<HttpEndpoint> {
  const ep = await startHttpEndpoint({ simulator: new Simulator({ account, latencyScale: 0 }), ...(intercept ? { intercept } : {}) });
  open.push(ep);
  return ep;
}

/** Resolves true when something accepts a TCP connection on the port. */
const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('serviceOf', () => {
  it('reads the service from the SigV4 credential scope', () => {
    expect(serviceOf(scope('elasticmapreduce'))).toBe('emr');
    expect(serviceOf(scope('ec2'))).toBe('ec2');
    expect(serviceOf(scope('iam'))).toBe('iam');
    expect(serviceOf(scope('ssm'))).toBe('ssm');
    expect(serviceOf(scope('sts'))).toBe('sts');
  });

  it('falls back to the JSON target of unsigned requests, and names no service it does not model', () => {
    expect(serviceOf({ 'x-amz-target': 'ElasticMapReduce.ListClusters' })).toBe('emr');
    expect(serviceOf({ 'x-amz-target': 'AmazonSSM.GetServiceSetting' })).toBe('ssm');
    expect(serviceOf({ 'x-amz-target': 'Unknown.Op' })).toBeUndefined();
    expect(serviceOf(scope('securityhub'))).toBeUndefined();
    expect(serviceOf({})).toBeUndefined();
  });
});

describe('startHttpEndpoint', () => {
  it('listens on loopback only and answers a signed SDK call from the account', async () => {
    const ep = await start();
    expect(ep.url).toBe(`http://127.0.0.1:${ep.port}`);
    const sts = new STSClient({ region: 'us-east-1', endpoint: ep.url, credentials });
    const out = await sts.send(new GetCallerIdentityCommand({}));
    expect(out.Account).toBe(account.accountId);
    expect(ep.requests()).toEqual([{ service: 'sts', signingName: 'sts', signingRegion: 'us-east-1', operation: 'GetCallerIdentity', parameters: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, statusCode: 200 }]);
    sts.destroy();
  });

  it('answers a service it does not model with a typed 400 error the SDK surfaces', async () => {
    const ep = await start();
    const hub = new SecurityHubClient({ region: 'us-east-1', endpoint: ep.url, credentials, maxAttempts: 1 });
    await expect(hub.send(new DescribeHubCommand({}))).rejects.toMatchObject({ name: 'UnknownServiceException', $metadata: { httpStatusCode: 400 } });
    expect(ep.requests()).toMatchObject([{ service: undefined, signingName: 'securityhub', statusCode: 400, errorCode: 'UnknownServiceException' }]);
    hub.destroy();
  });

  it('lets an interceptor answer first (a fault), the SDK parsing it as the service error', async () => {
    const ep = await start((service, request) => (service === 'iam' && request.form.get('RoleName') === 'gone' ? queryError('iam', 404, 'NoSuchEntity', 'The role with name gone cannot be found.') : undefined));
    const iam = new IAMClient({ region: 'us-east-1', endpoint: ep.url, credentials, maxAttempts: 1 });
    const error = await iam.send(new GetRoleCommand({ RoleName: 'gone' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoSuchEntityException);
    expect((error as NoSuchEntityException).message).toBe('The role with name gone cannot be found.');
    const role = await iam.send(new GetRoleCommand({ RoleName: 'EMR_EC2_DefaultRole' }));
    expect(role.Role?.RoleName).toBe('EMR_EC2_DefaultRole');
    expect(ep.requests().map((r) => [r.operation, r.statusCode, r.errorCode])).toEqual([
      ['GetRole', 404, 'NoSuchEntity'],
      ['GetRole', 200, undefined],
    ]);
    iam.destroy();
  });

  it('closes promptly although the SDK keeps its connection alive, and then refuses connections', async () => {
    const ep = await start();
    const sts = new STSClient({ region: 'us-east-1', endpoint: ep.url, credentials });
    await sts.send(new GetCallerIdentityCommand({}));
    const t0 = performance.now();
    await ep.close();
    open = [];
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(await accepts(ep.port)).toBe(false);
    sts.destroy();
  });
});
