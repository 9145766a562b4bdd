/**
 * CloudTrail clients, one per Region, for the trail check of `emr-audit change-events`
 * (lib/events/trail-check.ts). Apart from lib/aws/clients.ts so that neither the Lambda nor
 * `scan` loads the CloudTrail SDK: the function gets no CloudTrail permission and never calls it.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { clientConfig, type ClientOptions } from './clients.js';

export function createCloudTrailClients(options: ClientOptions): (region: string) => CloudTrailClient {
  const common = clientConfig(options);
  const cache = new Map<string, CloudTrailClient>();
  return (region) => {
    let client = cache.get(region);
    if (!client) {
      client = new CloudTrailClient({ ...common, region });
      cache.set(region, client);
    }
    return client;
  };
}
