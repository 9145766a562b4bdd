/**
 * The wire formats the simulator speaks, so the SDK's real serializers and deserializers run:
 * AWS JSON 1.1 (EMR, SSM: `X-Amz-Target` header, JSON body) and the query protocols (EC2's
 * `ec2Query`, IAM/STS's `awsQuery`: form-encoded body, XML response).
 */
export interface ParsedRequest {
  /** The operation name (`DescribeCluster`, `GetRole`…). */
  operation: string;
  /** JSON body (JSON protocols). */
  json: Record<string, unknown>;
  /** Form parameters (query protocols). */
  form: URLSearchParams;
  /** `amz-sdk-invocation-id`: one per SDK call, the same on each retry of it. */
  invocationId: string;
  /** Attempt number from `amz-sdk-request` (1 = first try). */
  attempt: number;
  /** The raw body, for latency jitter and diagnostics. */
  rawBody: string;
}

export interface SimResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Uint8Array;
  /** Items returned (instances, groups…), for the per-item latency. */
  items: number;
  /** AWS error code when the response is an error. */
  errorCode?: string;
}

export interface WireRequest {
  headers: Record<string, string | undefined>;
  body?: unknown;
}

let requestCounter = 0;
export const nextRequestId = (): string => {
  requestCounter += 1;
  return `00000000-0000-4000-8000-${requestCounter.toString(16).padStart(12, '0')}`;
};

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  throw new Error(`unsupported request body type ${typeof body}`);
}

function header(req: WireRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(req.headers)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

export function parseRequest(req: WireRequest): ParsedRequest {
  const rawBody = bodyText(req.body);
  const target = header(req, 'x-amz-target');
  const attemptHeader = header(req, 'amz-sdk-request') ?? '';
  const attempt = Number(/attempt=(\d+)/.exec(attemptHeader)?.[1] ?? '1');
  const invocationId = header(req, 'amz-sdk-invocation-id') ?? nextRequestId();
  if (target) {
    const json = rawBody ? (JSON.parse(rawBody) as Record<string, unknown>) : {};
    return { operation: target.slice(target.indexOf('.') + 1), json, form: new URLSearchParams(), invocationId, attempt, rawBody };
  }
  const form = new URLSearchParams(rawBody);
  return { operation: form.get('Action') ?? '', json: {}, form, invocationId, attempt, rawBody };
}

// ------------------------------------------------------------------ query parameters

/** `Prefix.1`, `Prefix.2`… values, in order (EC2 `GroupId.N`, `InstanceId.N`). */
export function formList(form: URLSearchParams, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; ; i++) {
    const v = form.get(`${prefix}.${i}`);
    if (v === null) return out;
    out.push(v);
  }
}

/** EC2 `Filter.N.Name` / `Filter.N.Value.M`. */
export function formFilters(form: URLSearchParams): { name: string; values: string[] }[] {
  const out: { name: string; values: string[] }[] = [];
  for (let i = 1; ; i++) {
    const name = form.get(`Filter.${i}.Name`);
    if (name === null) return out;
    out.push({ name, values: formList(form, `Filter.${i}.Value`) });
  }
}

// ------------------------------------------------------------------ JSON 1.1

export function jsonResponse(payload: unknown, items = 0): SimResponse {
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': nextRequestId() },
    body: Buffer.from(JSON.stringify(payload)),
    items,
  };
}

export function jsonError(statusCode: number, code: string, message: string): SimResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': nextRequestId() },
    body: Buffer.from(JSON.stringify({ __type: code, message })),
    items: 0,
    errorCode: code,
  };
}

/** JSON 1.1 timestamps are epoch seconds. */
export const epoch = (d: Date): number => d.getTime() / 1000;

// ------------------------------------------------------------------ XML

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
export const escapeXml = (s: string): string => s.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);

export type XmlValue = string | number | boolean | Date | undefined;

/** `<name>value</name>`, or nothing when the value is undefined. */
export function x(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  const text = value instanceof Date ? value.toISOString() : String(value);
  return `<${name}>${escapeXml(text)}</${name}>`;
}

/** `<name>…children…</name>` (children already XML). */
export function xn(name: string, ...children: string[]): string {
  return `<${name}>${children.join('')}</${name}>`;
}

/** A list: `<name><item>…</item>…</name>` (EC2 uses `item`, IAM `member`). */
export function xl<T>(name: string, items: readonly T[], render: (item: T) => string, itemTag: 'item' | 'member' = 'item'): string {
  return `<${name}>${items.map((i) => `<${itemTag}>${render(i)}</${itemTag}>`).join('')}</${name}>`;
}

const EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

function xmlResponse(statusCode: number, xml: string, items: number, errorCode?: string): SimResponse {
  return {
    statusCode,
    headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': nextRequestId() },
    body: Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`),
    items,
    ...(errorCode ? { errorCode } : {}),
  };
}

export function ec2Response(operation: string, inner: string, items = 0): SimResponse {
  return xmlResponse(200, `<${operation}Response xmlns="${EC2_NS}"><requestId>${nextRequestId()}</requestId>${inner}</${operation}Response>`, items);
}

export function ec2Error(statusCode: number, code: string, message: string): SimResponse {
  return xmlResponse(statusCode, `<Response><Errors><Error>${x('Code', code)}${x('Message', message)}</Error></Errors>${x('RequestID', nextRequestId())}</Response>`, 0, code);
}

export function queryResponse(service: 'iam' | 'sts', operation: string, result: string, items = 0): SimResponse {
  const ns = service === 'iam' ? IAM_NS : STS_NS;
  return xmlResponse(
    200,
    `<${operation}Response xmlns="${ns}"><${operation}Result>${result}</${operation}Result><ResponseMetadata>${x('RequestId', nextRequestId())}</ResponseMetadata></${operation}Response>`,
    items,
  );
}

export function queryError(service: 'iam' | 'sts', statusCode: number, code: string, message: string): SimResponse {
  const ns = service === 'iam' ? IAM_NS : STS_NS;
  return xmlResponse(statusCode, `<ErrorResponse xmlns="${ns}"><Error><Type>Sender</Type>${x('Code', code)}${x('Message', message)}</Error>${x('RequestId', nextRequestId())}</ErrorResponse>`, 0, code);
}
