/** Results, checks and wiring shared by the report tests. */
import type { Check, ClusterCheck, RegionCheck, ResourceRef, Result } from '../../checks/contract.js';
import { TYPES } from '../../checks/contract.js';
import { createAwsClients, type AwsClients } from '../../lib/aws/clients.js';
import { defaultSettings, type Settings } from '../../lib/settings.js';
import type { AuditRequest } from '../../lib/request.js';
import { ACCOUNT, REGION } from '../helpers/fixtures.js';

function clusterCheck(id: string, extra: Partial<ClusterCheck> = {}): ClusterCheck {
  return {
    id,
    title: `Title of ${id}`,
    severity: 'HIGH',
    scope: 'cluster',
    description: `Description of ${id}`,
    types: [TYPES.bestPractices],
    remediation: { text: `Fix ${id}.`, url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-security.html' },
    permissions: ['elasticmapreduce:DescribeCluster'],
    settings: [],
    evaluate: () => [{ status: 'PASS', message: 'ok' }],
    ...extra,
  };
}

function regionCheck(id: string): RegionCheck {
  return {
    id,
    title: `Title of ${id}`,
    severity: 'CRITICAL',
    scope: 'region',
    description: `Description of ${id}`,
    types: [TYPES.bestPractices],
    remediation: { text: `Fix ${id}.`, url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-block-public-access.html' },
    permissions: ['elasticmapreduce:GetBlockPublicAccessConfiguration'],
    settings: [],
    evaluate: () => [{ status: 'PASS', message: 'ok' }],
  };
}

/** A small registry: three cluster checks (one comparing clusters), one account-level check. */
export const TEST_CHECKS: readonly Check[] = [
  clusterCheck('network/ssh-from-internet', { types: [TYPES.networkReachability] }),
  clusterCheck('iam/instance-profile-admin', { severity: 'CRITICAL' }),
  clusterCheck('logging/no-log-uri', { severity: 'LOW' }),
  clusterCheck('network/shared-managed-security-group', { severity: 'LOW', needsAllClusters: true }),
  regionCheck('exposure/block-public-access-disabled'),
];

export function result(overrides: Partial<Result> & Pick<Result, 'checkId' | 'status'>): Result {
  const clusterId = overrides.clusterId === undefined ? 'j-CLUSTER0001' : overrides.clusterId;
  const region = overrides.region ?? REGION;
  return {
    severity: 'HIGH',
    region,
    accountId: ACCOUNT,
    clusterId,
    clusterName: clusterId ? `name-${clusterId}` : null,
    title: `Title of ${overrides.checkId}`,
    message: `${overrides.checkId} ${overrides.status} on ${clusterId ?? region}`,
    resources: (overrides.resourceDetails ?? []).map((r) => r.id),
    resourceDetails: [],
    resourceId: clusterId ?? region,
    ...overrides,
  };
}

export function sg(id: string, region = REGION): ResourceRef {
  return { type: 'AwsEc2SecurityGroup', id, arn: `arn:aws:ec2:${region}:${ACCOUNT}:security-group/${id}` };
}

export function settings(overrides: Partial<Settings> = {}): Settings {
  return { ...defaultSettings(), ...overrides };
}

export function request(overrides: Partial<AuditRequest> = {}): AuditRequest {
  return { trigger: 'schedule', dryRun: false, terminatedClusters: [], ...overrides };
}

export function clients(): AwsClients {
  return createAwsClients({ maxAttempts: 1, homeRegion: REGION });
}

export const noSleep = (): Promise<void> => Promise.resolve();
