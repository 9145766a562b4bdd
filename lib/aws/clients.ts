/**
 * AWS SDK clients, one set per region (IAM is global: one client serves every region). Adaptive
 * retry with raised max attempts, so a throttled API slows the audit down instead of failing it.
 * The SDK reads credentials, `AWS_PROFILE` and `AWS_ENDPOINT_URL[_<SERVICE>]` itself.
 *
 * Every client has a connection and a request timeout (the SDK's default is none: an endpoint that
 * accepts a connection and never answers held a run forever). A timed-out attempt is a
 * `TimeoutError`, which the SDK retries as transient; after `maxAttempts` the call fails and the
 * collector records it as an ERROR naming the call. A 2xx response whose body cannot be parsed
 * (truncated, or not from AWS) is retried the same way (see `retryUnreadableResponses`).
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
 * A 2xx response the SDK could not parse is not an answer: a body cut short by a dropped
 * connection or a proxy. The SDK classes it as a client error and does not retry it; marking it
 * retryable (the `$retryable` trait the SDK's classifier honours) gets it the same retries, with
 * back-off and the attempts bound, as a 5xx. Modelled service errors (`$fault`) are left alone.
 * Sits inside the retry middleware (finalizeRequest, low priority), around deserialization.
 */
export function retryUnreadableResponses<Input extends object, Output extends MetadataBearer>(): Pluggable<Input, Output> {
  const middleware: FinalizeRequestMiddleware<Input, Output> = (next) => async (args) => {
    try {
      return await next(args);
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
  };
  return {
    applyToStack: (stack) => stack.add(middleware, { step: 'finalizeRequest', priority: 'low', name: 'emrAuditRetryUnreadableResponses', override: true }),
  };
}

export function createAwsClients(options: ClientOptions): AwsClients {
  const requestHandler = {
    connectionTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    // Without it a request timeout is only logged as a warning and the call waits on.
    throwOnRequestTimeout: true,
  };
  const common = { maxAttempts: options.maxAttempts, retryMode: 'adaptive' as const, requestHandler, ...(options.profile ? { profile: options.profile } : {}) };
  const cache = new Map<string, RegionClients>();
  const home = options.homeRegion ? { region: options.homeRegion } : {};
  const iam = new IAMClient({ ...common, ...home });
  iam.middlewareStack.use(retryUnreadableResponses());
  const sts = new STSClient({ ...common, ...home });
  sts.middlewareStack.use(retryUnreadableResponses());
  // The state bucket may be in another region than the home one: follow S3's redirect.
  const s3 = new S3Client({ ...common, ...home, followRegionRedirects: true });
  s3.middlewareStack.use(retryUnreadableResponses());
  const events = new EventBridgeClient({ ...common, ...home });
  events.middlewareStack.use(retryUnreadableResponses());
  const sqs = new SQSClient({ ...common, ...home });
  sqs.middlewareStack.use(retryUnreadableResponses());
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
        made.emr.middlewareStack.use(retryUnreadableResponses());
        made.ec2.middlewareStack.use(retryUnreadableResponses());
        made.ssm.middlewareStack.use(retryUnreadableResponses());
        made.securityHub.middlewareStack.use(retryUnreadableResponses());
        made.tagging.middlewareStack.use(retryUnreadableResponses());
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
