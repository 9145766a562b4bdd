/**
 * AWS console addresses of the resources a result names, for the HTML report. Only the commercial
 * partition (`aws`): other partitions have other console hosts, and a wrong link is worse than none.
 */

/** The console page of a resource id (`j-…`, `sg-…`, `i-…`, `subnet-…`, `rtb-…`, `acl-…`, an IAM role or policy ARN), if known. */
export function consoleUrl(id: string, region: string, partition: string): string | undefined {
  if (partition !== 'aws' || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) return undefined;
  const base = (service: string): string => `https://${region}.console.aws.amazon.com/${service}/home?region=${region}`;
  const q = encodeURIComponent;
  if (/^j-[A-Z0-9]+$/.test(id)) return `${base('emr')}#/clusterDetails/${q(id)}`;
  if (/^sg-[0-9a-f]+$/.test(id)) return `${base('ec2')}#SecurityGroup:groupId=${q(id)}`;
  if (/^i-[0-9a-f]+$/.test(id)) return `${base('ec2')}#InstanceDetails:instanceId=${q(id)}`;
  if (/^subnet-[0-9a-f]+$/.test(id)) return `${base('vpcconsole')}#SubnetDetails:subnetId=${q(id)}`;
  if (/^rtb-[0-9a-f]+$/.test(id)) return `${base('vpcconsole')}#RouteTableDetails:RouteTableId=${q(id)}`;
  if (/^acl-[0-9a-f]+$/.test(id)) return `${base('vpcconsole')}#NetworkAclDetails:networkAclId=${q(id)}`;
  if (/^arn:aws:iam::(\d{12}|aws):policy\//.test(id)) return `https://console.aws.amazon.com/iam/home#/policies/details/${q(id)}`;
  return undefined;
}

/** The console page of an IAM role by name. */
export function roleConsoleUrl(name: string, partition: string): string | undefined {
  return partition === 'aws' && /^[\w+=,.@-]+$/.test(name) ? `https://console.aws.amazon.com/iam/home#/roles/details/${encodeURIComponent(name)}` : undefined;
}
