/**
 * The simulator behind a real HTTP endpoint on 127.0.0.1, so a separate process (the CLI with
 * `AWS_ENDPOINT_URL=http://127.0.0.1:PORT`) goes through the SDK's whole chain — endpoint
 * resolution, serialisation, signing, the Node HTTP handler, parsing — against the seeded account.
 *
 * With one `AWS_ENDPOINT_URL` every service sends to the same address, so the service is told from
 * the request itself: the SigV4 credential scope names it (`…/us-east-1/elasticmapreduce/aws4_request`),
 * and JSON 1.1 requests also carry `X-Amz-Target`. Loopback only, ephemeral port.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Service } from './limits.js';
import type { Simulator } from './simulator.js';
import { jsonError, parseRequest, type ParsedRequest, type SimResponse, type WireRequest } from './wire.js';

/** SigV4 signing names of the services the simulator models. */
const SIGNING_NAMES: Readonly<Record<string, Service>> = {
  elasticmapreduce: 'emr',
  ec2: 'ec2',
  iam: 'iam',
  ssm: 'ssm',
  sts: 'sts',
  tagging: 'tag',
};

/** `X-Amz-Target` prefixes of the JSON 1.1 services. */
const TARGET_PREFIXES: Readonly<Record<string, Service>> = {
  ElasticMapReduce: 'emr',
  AmazonSSM: 'ssm',
  ResourceGroupsTaggingAPI_20170126: 'tag',
};

/** One request the endpoint received, for assertions about what crossed the wire. */
export interface ReceivedRequest {
  /** The service, or undefined when the request named none the simulator models. */
  service: Service | undefined;
  /** The SigV4 signing name and region of the request (`Credential=…/<region>/<name>/aws4_request`). */
  signingName: string | undefined;
  signingRegion: string | undefined;
  operation: string;
  /** The request's parameters: the JSON body (JSON 1.1) or the form fields (query protocols, `GroupId.1`…). */
  parameters: Record<string, unknown>;
  statusCode: number;
  errorCode?: string;
}

/**
 * Answers a request before the simulator does (a fault to inject); `undefined` lets the
 * simulator answer. Runs on the parsed request of a service the simulator models.
 */
export type Interceptor = (service: Service, request: ParsedRequest) => SimResponse | undefined;

export interface HttpEndpointOptions {
  simulator: Simulator;
  intercept?: Interceptor;
}

export interface HttpEndpoint {
  /** `http://127.0.0.1:PORT`, the value for `AWS_ENDPOINT_URL`. */
  url: string;
  port: number;
  /** Every request received so far, in arrival order. */
  requests(): ReceivedRequest[];
  /** Stops listening and drops kept-alive connections; resolves once the server is closed. */
  close(): Promise<void>;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function signingScope(authorization: string | undefined): { name?: string; region?: string } {
  const scope = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/.exec(authorization ?? '');
  return scope ? { region: scope[1], name: scope[2] } : {};
}

/** The simulated service a request is for, from its signature scope or its JSON target. */
export function serviceOf(headers: Readonly<Record<string, string | undefined>>): Service | undefined {
  const byScope = signingScope(headers['authorization']).name;
  if (byScope !== undefined) return SIGNING_NAMES[byScope];
  const target = headers['x-amz-target'];
  return target ? TARGET_PREFIXES[target.slice(0, Math.max(0, target.indexOf('.')))] : undefined;
}

async function readBody(req: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, response: SimResponse): void {
  res.writeHead(response.statusCode, { ...response.headers, 'content-length': String(response.body.byteLength) });
  res.end(response.body);
}

export async function startHttpEndpoint(options: HttpEndpointOptions): Promise<HttpEndpoint> {
  const received: ReceivedRequest[] = [];

  const answer = async (req: IncomingMessage): Promise<{ response: SimResponse; record: ReceivedRequest }> => {
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = headerValue(v);
    const wire: WireRequest = { headers, body: await readBody(req) };
    const scope = signingScope(headers['authorization']);
    const service = serviceOf(headers);
    const base = { service, signingName: scope.name, signingRegion: scope.region };
    if (service === undefined) {
      // Security Hub or anything else the simulator does not model: a loud, typed failure.
      const response = jsonError(400, 'UnknownServiceException', `the simulator does not model the service signed as "${scope.name ?? 'unknown'}"`);
      return { response, record: { ...base, operation: headers['x-amz-target'] ?? '', parameters: {}, statusCode: response.statusCode, errorCode: 'UnknownServiceException' } };
    }
    const parsed = parseRequest(wire);
    const response = options.intercept?.(service, parsed) ?? (await options.simulator.handle(service, wire));
    const parameters = parsed.form.size > 0 ? Object.fromEntries(parsed.form) : parsed.json;
    return { response, record: { ...base, operation: parsed.operation, parameters, statusCode: response.statusCode, ...(response.errorCode ? { errorCode: response.errorCode } : {}) } };
  };

  const server = createServer((req, res) => {
    answer(req).then(
      ({ response, record }) => {
        received.push(record);
        send(res, response);
      },
      (e: unknown) => {
        // A simulator bug must show up as a failed call, not as a hung client.
        const response = jsonError(500, 'InternalFailure', `simulator failure: ${e instanceof Error ? e.message : String(e)}`);
        received.push({ service: undefined, signingName: undefined, signingRegion: undefined, operation: '', parameters: {}, statusCode: 500, errorCode: 'InternalFailure' });
        send(res, response);
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: () => received.map((r) => structuredClone(r)),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        // The SDK keeps connections alive: without this, close() would wait for their idle timeout.
        server.closeAllConnections();
      }),
  };
}
