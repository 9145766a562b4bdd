import { errorOutcome, instanceRef } from '../../lib/lookup.js';
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
import { TYPES, type ClusterCheck } from '../contract.js';
import { complianceFor } from '../../lib/compliance.js';

export const check: ClusterCheck = {
  id: 'ssm/agent-not-online',
  title: 'SSM agent of cluster instances is not online',
  severity: 'MEDIUM',
  scope: 'cluster',
  description:
    'A running cluster instance is registered with Systems Manager but its agent does not report Online, so Session Manager cannot reach the node.',
  types: [TYPES.bestPractices],
  remediation: {
    text: "On the listed nodes, check that the SSM Agent service runs (systemctl status amazon-ssm-agent; restart it), that the instance profile still allows ssm:UpdateInstanceInformation and the ssmmessages actions, and that HTTPS to the ssm, ssmmessages and ec2messages endpoints is open. ssm-cli get-diagnostics on the node names the failing prerequisite.",
    url: 'https://docs.aws.amazon.com/systems-manager/latest/userguide/fleet-manager-troubleshooting-managed-nodes.html',
  },
  permissions: ['elasticmapreduce:DescribeCluster', 'elasticmapreduce:ListInstances', 'ssm:DescribeInstanceInformation'],
  settings: [],
  compliance: complianceFor('ssm/agent-not-online'),
  evaluate(cluster, ctx) {
    const running = lookupRunningEc2Instances(cluster, ctx);
    if (!running.ok) return [errorOutcome('the cluster instances', running.reason)];
    const { instances, withoutEc2Id } = running.value;
    if (instances.length + withoutEc2Id.length === 0) return [{ status: 'NOT_APPLICABLE', message: 'No running instances yet.' }];

    const snapshot = ctx.region.snapshot;
    const queried = ctx.region.ssmQueried;
    const offline: { id: string; label: string }[] = [];
    const unknown: UnknownInstance[] = unknownWithoutEc2Id(withoutEc2Id);
    let online = 0;
    let unregistered = 0;
    for (const i of instances) {
      const ssm = snapshot.ssmInstances[i.ec2InstanceId];
      if (ssm) {
        if (ssm.pingStatus === 'Online') online += 1;
        else offline.push({ id: i.ec2InstanceId, label: labelInstance(i, ssm.pingStatus, `last ping ${ssm.lastPingDateTime ?? 'unknown'}`) });
      } else if (queried.has(i.ec2InstanceId)) unregistered += 1;
      else unknown.push(unknownFromErrors(i.ec2InstanceId, 'ssmInstance', ctx));
    }

    // Unregistered instances are ssm/instance-not-managed's finding, not this one's.
    const unregisteredNote = unregistered > 0 ? ` ${countInstances(unregistered)} not registered with SSM (see ssm/instance-not-managed).` : '';
    if (offline.length > 0) {
      const unknownNote = unknown.length > 0 ? ` Agent status unknown for ${describeUnknown(unknown)}.` : '';
      return [
        {
          status: 'FAIL',
          message: `The SSM Agent of ${countInstances(offline.length, 'running')} is not Online, so Session Manager cannot reach ${offline.length === 1 ? 'it' : 'them'}: ${listIds(offline.map((o) => o.label))}. Restart the agent and check its permissions and network path to the SSM endpoints.${unknownNote}`,
          resources: offline.map((o) => instanceRef(o.id, ctx)),
        },
      ];
    }
    if (unknown.length > 0) return [errorOutcome('SSM agent status', describeUnknown(unknown))];
    if (online === 0) {
      return [{ status: 'NOT_APPLICABLE', message: `No running instance is registered with SSM yet.${unregisteredNote}` }];
    }
    return [{ status: 'PASS', message: `The SSM Agent reports Online on ${countInstances(online, 'registered')}.${unregisteredNote}` }];
  },
};
