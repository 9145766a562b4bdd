/**
 * AWS SDK clients, one set per region (IAM is global: one client serves every region). Adaptive
 * retry with raised max attempts, so a throttled API slows the audit down instead of failing it.
 * The SDK reads credentials, `AWS_PROFILE` and `AWS_ENDPOINT_URL[_<SERVICE>]` itself.
 *
 * Every client has a connection and a request timeout (the SDK's default is none: an endpoint that
 * accepts a connection and never answers held a run forever). A timed-out attempt is a
 * `TimeoutError`, which the SDK retries as transient; after `maxAttempts` the call fails and the
 * collector records it as an ERROR naming the call. A 2xx response whose body cannot be parsed
 * (truncated, or not from AWS), or that lacks what every real answer of its operation carries, is
 * retried the same way (see `checkAnswers`).
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { EMRClient } from '@aws-sdk/client-emr';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { S3Client } from '@aws-sdk/client-s3';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import type { FinalizeRequestMiddleware, MetadataBearer, Pluggable } from '@smithy/types';
import { missingMembers, UnexpectedAnswerError } from './answers.js';

export interface RegionClients {
  region: string;
  emr: EMRClient;
  ec2: EC2Client;
  ssm: SSMClient;
  securityHub: SecurityHubClient;
  /** Resource Groups Tagging API: cluster tags account-wide. */
  tagging: ResourceGroupsTaggingAPIClient;
}

export interface AwsClients {
  /** Clients of one region (created once, then reused). */
  forRegion(region: string): RegionClients;
  iam: IAMClient;
  sts: STSClient;
  /** The state store's bucket (home region; S3 redirects to the bucket's region itself). */
  s3: S3Client;
  /** The continuation event's bus (home region). */
  events: EventBridgeClient;
  /** The change audits' follow-up queue (home region); absent where no queue is used (CLI, tests). */
  sqs?: SQSClient;
}

export interface ClientOptions {
  maxAttempts: number;
  /** Region for global services (IAM, STS) and the default region. */
  homeRegion?: string;
  /** Shared-config profile (CLI --profile); default: the SDK's (AWS_PROFILE, else `default`). */
  profile?: string;
  /** Per attempt: connection phase (default 5 s). */
  connectTimeoutMs?: number;
  /** Per attempt: the whole request and response (default 30 s). */
  requestTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** What the deserializer attaches to an error it raised while reading a response. */
interface ResponseError {
  $response?: { statusCode?: number };
  $fault?: unknown;
  $retryable?: { throttling?: boolean };
}

/**
 * Every answer is checked before it is believed; an answer that is not the service's is a failed
 * call, retried (with back-off, within the attempts bound) like a 5xx:
 * - a 2xx response the SDK could not parse (a body cut short by a dropped connection, a proxy's
 *   HTML page): the SDK classes it as a client error and does not retry it, so it is marked
 *   retryable (the `$retryable` trait the SDK's classifier honours); modelled service errors
 *   (`$fault`) are left alone;
 * - a 2xx response the SDK did parse but that lacks what every real answer of the operation
 *   carries (lib/aws/answers.ts): an `UnexpectedAnswer` error naming the call, never an empty result.
 * Sits inside the retry middleware (finalizeRequest, low priority), around deserialization.
 * `service` is the IAM action prefix of the client's operations (`iam`, `elasticmapreduce`…).
 */
export function checkAnswers<Input extends object, Output extends MetadataBearer>(service: string): Pluggable<Input, Output> {
  const middleware: FinalizeRequestMiddleware<Input, Output> = (next, context) => async (args) => {
    let result: Awaited<ReturnType<typeof next>>;
    try {
      result = await next(args);
    } catch (e) {
      if (e instanceof Error) {
        const err = e as Error & ResponseError;
        const status = err.$response?.statusCode;
        if (status !== undefined && status >= 200 && status < 300 && err.$fault === undefined && err.$retryable === undefined) {
          Object.assign(err, { $retryable: { throttling: false } });
        }
      }
      throw e;
    }
    const operation = String(context.commandName ?? '').replace(/Command$/, '');
    const missing = missingMembers(service, operation, result.output);
    if (missing.length > 0) {
      const status = (result.response as { statusCode?: number } | undefined)?.statusCode ?? result.output.$metadata.httpStatusCode;
      throw new UnexpectedAnswerError(`${service}:${operation}`, missing, status);
    }
    return result;
  };
  return {
    applyToStack: (stack) => stack.add(middleware, { step: 'finalizeRequest', priority: 'low', name: 'emrAuditCheckAnswers', override: true }),
  };
}

/** What every client of a run is configured with: attempts, adaptive retry, timeouts, profile. */
export function clientConfig(options: ClientOptions) {
  const requestHandler = {
    connectionTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    // Without it a request timeout is only logged as a warning and the call waits on.
    throwOnRequestTimeout: true,
  };
  return { maxAttempts: options.maxAttempts, retryMode: 'adaptive' as const, requestHandler, ...(options.profile ? { profile: options.profile } : {}) };
}

export function createAwsClients(options: ClientOptions): AwsClients {
  const common = clientConfig(options);
  const cache = new Map<string, RegionClients>();
  const home = options.homeRegion ? { region: options.homeRegion } : {};
  const iam = new IAMClient({ ...common, ...home });
  iam.middlewareStack.use(checkAnswers('iam'));
  const sts = new STSClient({ ...common, ...home });
  sts.middlewareStack.use(checkAnswers('sts'));
  // The state bucket may be in another region than the home one: follow S3's redirect.
  const s3 = new S3Client({ ...common, ...home, followRegionRedirects: true });
  s3.middlewareStack.use(checkAnswers('s3'));
  const events = new EventBridgeClient({ ...common, ...home });
  events.middlewareStack.use(checkAnswers('events'));
  const sqs = new SQSClient({ ...common, ...home });
  sqs.middlewareStack.use(checkAnswers('sqs'));
  return {
    forRegion(region) {
      let clients = cache.get(region);
      if (!clients) {
        const made: RegionClients = {
          region,
          emr: new EMRClient({ ...common, region }),
          ec2: new EC2Client({ ...common, region }),
          ssm: new SSMClient({ ...common, region }),
          securityHub: new SecurityHubClient({ ...common, region }),
          tagging: new ResourceGroupsTaggingAPIClient({ ...common, region }),
        };
        made.emr.middlewareStack.use(checkAnswers('elasticmapreduce'));
        made.ec2.middlewareStack.use(checkAnswers('ec2'));
        made.ssm.middlewareStack.use(checkAnswers('ssm'));
        made.securityHub.middlewareStack.use(checkAnswers('securityhub'));
        made.tagging.middlewareStack.use(checkAnswers('tag'));
        cache.set(region, made);
        clients = made;
      }
      return clients;
    },
    iam,
    sts,
    s3,
    events,
    sqs,
  };
}
