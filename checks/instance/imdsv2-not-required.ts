import { errorOutcome, instanceRef, lookupSecurityConfiguration } from '../../lib/lookup.js';
import {
  countInstances,
  describeUnknown,
  labelInstance,
  listIds,
  lookupRunningEc2Instances,
  unknownFromErrors,
  unknownWithoutEc2Id,
  type UnknownInstance,
} from '../../lib/running-ec2.js';
import { TYPES, type ClusterCheck, type Outcome } from '../contract.js';
import { complianceFor } from '../../lib/compliance.js';

export const check: ClusterCheck = {
  id: 'instance/imdsv2-not-required',
  title: 'IMDSv2 is not required on the cluster instances',
  severity: 'MEDIUM',
  scope: 'cluster',
  description:
    'Cluster instances that accept IMDSv1 let a server-side request forgery in any application on a node read the instance profile credentials; the security configuration should enforce IMDSv2.',
  types: [TYPES.bestPractices],
  remediation: {
    text: 'Set InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion to 2 (EMR 5.32/6.2 and later) in the security configuration and relaunch the cluster. Meanwhile, require tokens on the running instances: aws ec2 modify-instance-metadata-options --instance-id <id> --http-tokens required --http-endpoint enabled.',
    url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-create-security-configuration.html#emr-security-configuration-imdsv2',
  },
  permissions: [
    'elasticmapreduce:DescribeCluster',
    'elasticmapreduce:DescribeSecurityConfiguration',
    'elasticmapreduce:ListInstances',
    'ec2:DescribeInstances',
  ],
  settings: [],
  compliance: complianceFor('instance/imdsv2-not-required'),
  evaluate(cluster, ctx) {
    const config = lookupSecurityConfiguration(cluster, ctx);
    if (config.kind === 'ok' && config.config.minimumImdsVersion === 2) {
      return [{ status: 'PASS', message: `Security configuration "${config.config.name}" enforces IMDSv2 (MinimumInstanceMetadataServiceVersion 2) on every instance.` }];
    }
    const running = lookupRunningEc2Instances(cluster, ctx);
    if (!running.ok) {
      return [errorOutcome('the cluster instances', config.kind === 'error' ? `${running.reason}; ${config.reason}` : running.reason)];
    }

    const optional: string[] = [];
    const optionalLabels: string[] = [];
    const unknown: UnknownInstance[] = unknownWithoutEc2Id(running.value.withoutEc2Id);
    for (const i of running.value.instances) {
      const { ec2InstanceId } = i;
      const ec2 = ctx.region.snapshot.ec2Instances[ec2InstanceId];
      if (!ec2) unknown.push(unknownFromErrors(ec2InstanceId, 'ec2Instance', ctx));
      else if (ec2.httpTokens !== 'required') {
        optional.push(ec2InstanceId);
        optionalLabels.push(labelInstance(i, `HttpTokens ${ec2.httpTokens ?? 'not reported'}`));
      }
    }
    const total = running.value.instances.length + running.value.withoutEc2Id.length;
    const resources = optional.map((id) => instanceRef(id, ctx));
    const unknownNote = unknown.length > 0 ? ` Not checked: ${describeUnknown(unknown)}.` : '';

    if (config.kind === 'error') {
      // The configuration may enforce IMDSv2; only instances that all require tokens settle it.
      if (total > 0 && optional.length === 0 && unknown.length === 0) {
        return [{ status: 'PASS', message: `All ${countInstances(total, 'running')} require IMDSv2 (HttpTokens required); the security configuration could not be read.` }];
      }
      const details = [
        optional.length > 0 ? `${countInstances(optional.length)} ${optional.length === 1 ? 'accepts' : 'accept'} IMDSv1: ${listIds(optionalLabels)}.` : '',
        total === 0 ? 'The cluster has no running instance yet.' : '',
        unknownNote.trim(),
      ].filter(Boolean);
      const outcome: Outcome = errorOutcome('the security configuration', `${config.reason}${details.length > 0 ? ` — ${details.join(' ')}` : ''}`);
      return [resources.length > 0 ? { ...outcome, resources } : outcome];
    }

    const notEnforced =
      config.kind === 'none'
        ? 'the cluster has no security configuration'
        : `security configuration "${config.config.name}" does not set MinimumInstanceMetadataServiceVersion 2`;
    if (optional.length > 0) {
      return [
        {
          status: 'FAIL',
          message: `IMDSv1 is allowed: ${notEnforced}, and ${optional.length} of ${countInstances(total, 'running')} ${optional.length === 1 ? 'accepts' : 'accept'} IMDSv1: ${listIds(optionalLabels)}. Set MinimumInstanceMetadataServiceVersion 2 in the security configuration and relaunch, or require HttpTokens on these instances.${unknownNote}`,
          resources,
        },
      ];
    }
    if (unknown.length > 0) return [errorOutcome('EC2 metadata options', describeUnknown(unknown))];
    if (total === 0) return [{ status: 'NOT_APPLICABLE', message: `No running instances yet, and ${notEnforced}.` }];
    return [{ status: 'PASS', message: `All ${countInstances(total, 'running')} require IMDSv2 (HttpTokens required), although ${notEnforced}.` }];
  },
};
