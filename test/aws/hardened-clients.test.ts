/**
 * The AWS clients against loopback servers that misbehave the way real networks do (issue 14):
 * a black hole that accepts connections and never answers, an HTML error page, a truncated 200,
 * a reset. Every call must end — within timeouts × attempts — as a failure that names its cause
 * (HTTP status, errno) without quoting the body or a credential.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { ListClustersCommand } from '@aws-sdk/client-emr';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../lib/aws/clients.js';
import { failureOf } from '../../lib/collect/calls.js';

const REGION = 'eu-west-1';
const FAKE_KEY_ID = 'AKIAHARDENTEST000000';
const BODY_SECRET = 'AKIABODYLEAKED000000';

type Mode = 'html500' | 'truncated200' | 'reset' | 'ok';
let mode: Mode = 'ok';
let requests = 0;
const http = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
  requests += 1;
  req.resume();
  if (mode === 'reset') {
    req.socket.destroy();
    return;
  }
  if (mode === 'html500') {
    res.writeHead(500, { 'content-type': 'text/html' });
    res.end(`<html><body><h1>Internal Server Error</h1><p>${BODY_SECRET}</p></body></html>`);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
  // Cut short: the body a dropped connection or a broken proxy leaves.
  res.end(mode === 'truncated200' ? '{"Clusters":[{"Id":"j-1ABC' : '{"Clusters":[]}');
});
const sockets = new Set<Socket>();
const blackHole: Server = createTcpServer((socket) => {
  sockets.add(socket);
  socket.on('error', () => undefined);
});

let httpUrl = '';
let blackHoleUrl = '';
const saved = { ...process.env };

beforeAll(async () => {
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  const port = (s: { address(): unknown }): number => (s.address() as { port: number }).port;
  httpUrl = `http://127.0.0.1:${port(http)}`;
  blackHoleUrl = `http://127.0.0.1:${port(blackHole)}`;
  process.env.AWS_ACCESS_KEY_ID = FAKE_KEY_ID;
  process.env.AWS_SECRET_ACCESS_KEY = 'hardening-test-not-a-secret';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
});

afterEach(() => {
  requests = 0;
  mode = 'ok';
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => blackHole.close(() => resolve()));
  await new Promise<void>((resolve) => http.close(() => resolve()));
  process.env = saved;
});

function clientsAt(url: string, timeouts: { connect?: number; request?: number } = {}, maxAttempts = 2): AwsClients {
  process.env.AWS_ENDPOINT_URL = url;
  return createAwsClients({ maxAttempts, homeRegion: REGION, connectTimeoutMs: timeouts.connect ?? 500, requestTimeoutMs: timeouts.request ?? 400 });
}

async function failure<T>(api: string, send: () => Promise<T>): Promise<ReturnType<typeof failureOf>> {
  try {
    await send();
  } catch (e) {
    return failureOf(api, e);
  }
  throw new Error('the call succeeded');
}

function expectClean(message: string): void {
  expect(message).not.toContain(BODY_SECRET);
  expect(message).not.toContain(FAKE_KEY_ID);
  expect(message).not.toMatch(/<html|<body|Deserialization error/i);
  expect(message.length).toBeLessThanOrEqual(300);
}

describe('hardened AWS clients', () => {
  it('a black hole (connection accepted, never answered) fails within timeouts × attempts as ETIMEDOUT', async () => {
    const clients = clientsAt(blackHoleUrl, { request: 300 }, 3);
    const started = performance.now();
    const f = await failure('elasticmapreduce:ListClusters', () => clients.forRegion(REGION).emr.send(new ListClustersCommand({})));
    const elapsed = performance.now() - started;
    // 3 attempts × 300 ms, plus the SDK's short retry back-offs.
    expect(elapsed).toBeLessThan(3 * 300 + 3_000);
    expect(f.code).toBe('ETIMEDOUT');
    expect(f.message).toContain('after 3 attempts');
    expect(f.message).toMatch(/no answer within the timeout/);
    expectClean(f.message);
  });

  it('an HTML 500 is HTTP500 with its status, not SyntaxError or Unknown (JSON and query protocols)', async () => {
    mode = 'html500';
    const clients = clientsAt(httpUrl);
    const emr = await failure('elasticmapreduce:ListClusters', () => clients.forRegion(REGION).emr.send(new ListClustersCommand({})));
    const ec2 = await failure('ec2:DescribeSecurityGroups', () => clients.forRegion(REGION).ec2.send(new DescribeSecurityGroupsCommand({})));
    for (const f of [emr, ec2]) {
      expect(f.code).toBe('HTTP500');
      expect(f.httpStatus).toBe(500);
      expect(f.message).toMatch(/^HTTP 500: the response is not an AWS error/);
      expectClean(f.message);
    }
  });

  it('a truncated 200 is retried like a transient error, then reported as UnreadableResponse', async () => {
    mode = 'truncated200';
    const clients = clientsAt(httpUrl, {}, 3);
    const f = await failure('elasticmapreduce:ListClusters', () => clients.forRegion(REGION).emr.send(new ListClustersCommand({})));
    expect(requests).toBe(3);
    expect(f.code).toBe('UnreadableResponse');
    expect(f.message).toMatch(/^HTTP 200: the response body could not be read/);
    expect(f.message).toContain('after 3 attempts');
    expectClean(f.message);
  });

  it('a reset is ECONNRESET with its cause, not "TimeoutError (socket hang up)"', async () => {
    mode = 'reset';
    const clients = clientsAt(httpUrl);
    const f = await failure('ec2:DescribeSecurityGroups', () => clients.forRegion(REGION).ec2.send(new DescribeSecurityGroupsCommand({})));
    expect(requests).toBe(2);
    expect(f.code).toBe('ECONNRESET');
    expect(f.message).toMatch(/^the connection was reset before an answer/);
    expectClean(f.message);
  });

  it('a good answer still gets through', async () => {
    const clients = clientsAt(httpUrl);
    const out = await clients.forRegion(REGION).emr.send(new ListClustersCommand({}));
    expect(out.Clusters).toEqual([]);
  });
});

describe('failureOf', () => {
  it('redacts credentials and bounds the message', () => {
    const e = Object.assign(new Error(`denied for ${FAKE_KEY_ID} Signature=abcdef0123 X-Amz-Security-Token=IQoJb3Jp ${'x'.repeat(1000)}`), {
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
    });
    const f = failureOf('ssm:GetServiceSetting', e);
    expect(f.code).toBe('AccessDeniedException');
    expect(f.httpStatus).toBe(403);
    expect(f.message).toMatch(/^denied for \[key id\] Signature=\[redacted\] X-Amz-Security-Token=\[redacted\]/);
    expectClean(f.message);
  });
});
