/**
 * What a real answer of each operation emr-audit calls always carries, as the SDK hands it over:
 * the members AWS documents as always present (a list even when empty, `IsTruncated`, the
 * object asked for). A 2xx answer without one of them did not come from the service — an HTML
 * page from a proxy or captive portal parses as an empty result, another operation's answer (a
 * misrouted endpoint) as a result without the right members — and believing it turns "nothing
 * was read" into "nothing is wrong": an empty policy list is an admin role that PASSes.
 *
 * The query protocols (IAM, STS: awsQuery; EC2: ec2Query) read members out of the operation's
 * result wrapper (`<ListAttachedRolePoliciesResult>`, `<reservationSet>`): a body without the
 * wrapper gives no member at all. The JSON protocols (EMR, SSM, tagging, EventBridge: awsJson1_1;
 * Security Hub: restJson1) give the object's keys; S3 (restXml) the headers (`ETag`).
 *
 * One table, applied to every client by one middleware (lib/aws/clients.ts `checkAnswers`).
 */

/** Service prefix (the IAM action's) → operation → members every real answer carries. */
export const ANSWER_MEMBERS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  elasticmapreduce: {
    ListClusters: ['Clusters'],
    DescribeCluster: ['Cluster'],
    ListInstances: ['Instances'],
    ListInstanceGroups: ['InstanceGroups'],
    ListInstanceFleets: ['InstanceFleets'],
    DescribeSecurityConfiguration: ['Name', 'SecurityConfiguration'],
    // An answer without it would read as the default (block on): a PASS nobody was told.
    GetBlockPublicAccessConfiguration: ['BlockPublicAccessConfiguration'],
    ListReleaseLabels: ['ReleaseLabels'],
  },
  ec2: {
    DescribeSecurityGroups: ['SecurityGroups'],
    DescribeInstances: ['Reservations'],
    DescribeManagedPrefixLists: ['PrefixLists'],
    GetManagedPrefixListEntries: ['Entries'],
    DescribeSubnets: ['Subnets'],
    DescribeRouteTables: ['RouteTables'],
    DescribeNetworkAcls: ['NetworkAcls'],
    DescribeRegions: ['Regions'],
  },
  iam: {
    GetInstanceProfile: ['InstanceProfile'],
    GetRole: ['Role'],
    ListAttachedRolePolicies: ['AttachedPolicies', 'IsTruncated'],
    ListRolePolicies: ['PolicyNames', 'IsTruncated'],
    GetRolePolicy: ['RoleName', 'PolicyName', 'PolicyDocument'],
    GetPolicy: ['Policy'],
    GetPolicyVersion: ['PolicyVersion'],
  },
  ssm: {
    DescribeInstanceInformation: ['InstanceInformationList'],
    GetServiceSetting: ['ServiceSetting'],
  },
  sts: {
    GetCallerIdentity: ['Account', 'Arn', 'UserId'],
  },
  tag: {
    GetResources: ['ResourceTagMappingList'],
  },
  s3: {
    GetObject: ['ETag', 'Body'],
    PutObject: ['ETag'],
  },
  securityhub: {
    GetFindings: ['Findings'],
    BatchImportFindings: ['FailedCount', 'SuccessCount'],
  },
  events: {
    PutEvents: ['FailedEntryCount', 'Entries'],
  },
  // The change-event follow-up queue (lib/events/follow-up.ts).
  sqs: {
    SendMessage: ['MessageId'],
  },
};

export type AnswerService = keyof typeof ANSWER_MEMBERS;

/** The error of an answer that is not the service's: retried like a 5xx, then reported by name. */
export class UnexpectedAnswerError extends Error {
  override name = 'UnexpectedAnswer';
  /** The SDK's retry strategy retries an error carrying this trait (a transient error, not throttling). */
  readonly $retryable = { throttling: false };
  readonly $metadata: { httpStatusCode?: number };
  constructor(
    readonly api: string,
    readonly missing: readonly string[],
    httpStatusCode: number | undefined,
  ) {
    super(
      `unexpected answer: ${api} answered${httpStatusCode !== undefined ? ` HTTP ${httpStatusCode}` : ''} without ${missing.join(', ')}, which every answer of it carries ` +
        '(not an AWS answer: a proxy, a captive portal or a misrouted endpoint?)',
    );
    this.$metadata = httpStatusCode !== undefined ? { httpStatusCode } : {};
  }
}

/**
 * The members of `ANSWER_MEMBERS[service][operation]` that `output` lacks (an empty list when it
 * carries them all, or when the operation is not in the table). `null` counts as missing.
 */
export function missingMembers(service: string, operation: string, output: unknown): string[] {
  const required = ANSWER_MEMBERS[service]?.[operation];
  if (!required) return [];
  if (typeof output !== 'object' || output === null) return [...required];
  const record = output as Record<string, unknown>;
  return required.filter((member) => record[member] === undefined || record[member] === null);
}
