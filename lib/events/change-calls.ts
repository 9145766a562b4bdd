/**
 * The CloudTrail write calls that can change a cluster's findings (DESIGN.md "Change-triggered
 * audits"), per service. One list serves the parser and the deployment: the EventBridge rules of
 * serverless.yml and the StackSet template are tested against it.
 */
export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

export type ChangeSource = 'ec2.amazonaws.com' | 'iam.amazonaws.com' | 'elasticmapreduce.amazonaws.com' | 'ssm.amazonaws.com';

/** eventSource → the write calls that can change a cluster's findings. */
export const CHANGE_CALLS: Readonly<Record<ChangeSource, readonly string[]>> = {
  'ec2.amazonaws.com': [
    'AuthorizeSecurityGroupIngress',
    'RevokeSecurityGroupIngress',
    'ModifySecurityGroupRules',
    'ModifyInstanceAttribute',
    'ModifyNetworkInterfaceAttribute',
    'ModifyManagedPrefixList',
    'AssociateAddress',
    'DisassociateAddress',
    'AssignIpv6Addresses',
    'CreateRoute',
    'ReplaceRoute',
    'DeleteRoute',
    'AssociateRouteTable',
    'ReplaceRouteTableAssociation',
    'DisassociateRouteTable',
    'CreateNetworkAclEntry',
    'ReplaceNetworkAclEntry',
    'DeleteNetworkAclEntry',
    'ReplaceNetworkAclAssociation',
    'AttachInternetGateway',
    'DetachInternetGateway',
    'ModifyInstanceMetadataOptions',
  ],
  'iam.amazonaws.com': [
    'AttachRolePolicy',
    'DetachRolePolicy',
    'PutRolePolicy',
    'DeleteRolePolicy',
    'CreatePolicyVersion',
    'SetDefaultPolicyVersion',
    'DeletePolicyVersion',
    'PutRolePermissionsBoundary',
    'DeleteRolePermissionsBoundary',
    'AddRoleToInstanceProfile',
    'RemoveRoleFromInstanceProfile',
  ],
  'elasticmapreduce.amazonaws.com': ['PutBlockPublicAccessConfiguration', 'AddTags', 'RemoveTags'],
  'ssm.amazonaws.com': ['UpdateServiceSetting', 'ResetServiceSetting'],
};

/** EventBridge `source` per eventSource: aws.ec2, aws.iam, aws.emr, aws.ssm. */
export const EVENTBRIDGE_SOURCES: Readonly<Record<ChangeSource, string>> = {
  'ec2.amazonaws.com': 'aws.ec2',
  'iam.amazonaws.com': 'aws.iam',
  'elasticmapreduce.amazonaws.com': 'aws.emr',
  'ssm.amazonaws.com': 'aws.ssm',
};

/** IAM is global: its CloudTrail events reach EventBridge in this Region only. */
export const IAM_EVENTS_REGION = 'us-east-1';
/** The services whose events stay in the Region of the call. */
export const REGIONAL_SOURCES: readonly ChangeSource[] = ['ec2.amazonaws.com', 'elasticmapreduce.amazonaws.com', 'ssm.amazonaws.com'];

export function isChangeSource(eventSource: string): eventSource is ChangeSource {
  return Object.hasOwn(CHANGE_CALLS, eventSource);
}
