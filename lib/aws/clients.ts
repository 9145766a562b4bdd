/**
 * AWS SDK clients, one set per region (IAM is global: one client serves every region). Adaptive
 * retry with raised max attempts, so a throttled API slows the audit down instead of failing it.
 * The SDK reads credentials, `AWS_PROFILE` and `AWS_ENDPOINT_URL[_<SERVICE>]` itself.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { EMRClient } from '@aws-sdk/client-emr';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { S3Client } from '@aws-sdk/client-s3';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';

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
}

export interface ClientOptions {
  maxAttempts: number;
  /** Region for global services (IAM, STS) and the default region. */
  homeRegion?: string;
}

export function createAwsClients(options: ClientOptions): AwsClients {
  const common = { maxAttempts: options.maxAttempts, retryMode: 'adaptive' as const };
  const cache = new Map<string, RegionClients>();
  const home = options.homeRegion ? { region: options.homeRegion } : {};
  return {
    forRegion(region) {
      let clients = cache.get(region);
      if (!clients) {
        clients = {
          region,
          emr: new EMRClient({ ...common, region }),
          ec2: new EC2Client({ ...common, region }),
          ssm: new SSMClient({ ...common, region }),
          securityHub: new SecurityHubClient({ ...common, region }),
          tagging: new ResourceGroupsTaggingAPIClient({ ...common, region }),
        };
        cache.set(region, clients);
      }
      return clients;
    },
    iam: new IAMClient({ ...common, ...home }),
    sts: new STSClient({ ...common, ...home }),
    s3: new S3Client({ ...common, ...home, followRegionRedirects: true }),
    events: new EventBridgeClient({ ...common, ...home }),
  };
}
