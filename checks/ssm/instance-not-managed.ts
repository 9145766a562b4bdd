import { formatDuration } from '../../lib/duration.js';
import { errorOutcome, instanceRef } from '../../lib/lookup.js';
import {
  countInstances,
  describeUnknown,
  labelInstance,
  listIds,
  lookupRunningEc2Instances,
  unknownFromErrors,
  unknownWithoutEc2Id,
  type RunningEc2Instance,
  type UnknownInstance,
} from '../../lib/running-ec2.js';
import type { RegionSnapshot } from '../../lib/snapshot.js';
import { TYPES, type ClusterCheck } from '../contract.js';
import { complianceFor } from '../../lib/compliance.js';

const MINUTE_MS = 60_000;

/** Epoch ms of an ISO time; undefined when absent or unreadable. */
function parseTime(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/** When the instance started running: EMR's ready time, else its creation, else EC2's launch time. */
function runningSince(i: RunningEc2Instance, snapshot: RegionSnapshot): number | undefined {
  return parseTime(i.instance.readyAt) ?? parseTime(i.instance.createdAt) ?? parseTime(snapshot.ec2Instances[i.ec2InstanceId]?.launchTime);
}

export const check: ClusterCheck = {
  id: 'ssm/instance-not-managed',
  title: 'Cluster instances are not registered with SSM',
  severity: 'MEDIUM',
  scope: 'cluster',
  description:
    'Running cluster instances that are not registered with Systems Manager cannot be reached through Session Manager, which is how nodes should be accessed instead of SSH.',
  types: [TYPES.bestPractices],
  remediation: {
    text: "Give the nodes a route to SSM: attach AmazonSSMManagedInstanceCore (or equivalent) to the cluster's EC2 instance profile role or enable Default Host Management Configuration, allow HTTPS to the ssm, ssmmessages and ec2messages endpoints (VPC endpoints in private subnets), and make sure the SSM Agent runs (it ships with EMR's Amazon Linux AMIs).",
    url: 'https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-getting-started.html',
  },
  permissions: [
    'elasticmapreduce:DescribeCluster',
    'elasticmapreduce:ListInstances',
    'ec2:DescribeInstances',
    'ssm:DescribeInstanceInformation',
  ],
  settings: ['ssmGraceMinutes'],
  compliance: complianceFor('ssm/instance-not-managed'),
  evaluate(cluster, ctx) {
    const running = lookupRunningEc2Instances(cluster, ctx);
    if (!running.ok) return [errorOutcome('the cluster instances', running.reason)];
    const { instances, withoutEc2Id } = running.value;
    const total = instances.length + withoutEc2Id.length;
    if (total === 0) return [{ status: 'NOT_APPLICABLE', message: 'No running instances yet.' }];

    const snapshot = ctx.region.snapshot;
    const queried = ctx.region.ssmQueried;
    const graceMinutes = ctx.settings.ssmGraceMinutes;
    const now = ctx.now.getTime();
    const overdue: { i: RunningEc2Instance; label: string }[] = [];
    const inGrace: string[] = [];
    const unknown: UnknownInstance[] = unknownWithoutEc2Id(withoutEc2Id);

    for (const i of instances) {
      if (snapshot.ssmInstances[i.ec2InstanceId]) continue;
      if (!queried.has(i.ec2InstanceId)) {
        unknown.push(unknownFromErrors(i.ec2InstanceId, 'ssmInstance', ctx));
        continue;
      }
      const since = runningSince(i, snapshot);
      // With no start time known the instance cannot be shown to be new: it is judged.
      if (since === undefined) {
        overdue.push({ i, label: labelInstance(i, 'running since unknown') });
        continue;
      }
      const minutes = (now - since) / MINUTE_MS;
      if (minutes > graceMinutes) {
        overdue.push({ i, label: labelInstance(i, `running since ${new Date(since).toISOString()}`, formatDuration(now - since)) });
      } else {
        inGrace.push(i.ec2InstanceId);
      }
    }

    const graceNote =
      inGrace.length > 0
        ? ` Not judged yet: ${listIds(inGrace)} ${inGrace.length === 1 ? 'is' : 'are'} not registered but within the ${graceMinutes}-minute grace period.`
        : '';
    if (overdue.length > 0) {
      const unknownNote = unknown.length > 0 ? ` SSM registration unknown for ${describeUnknown(unknown)}.` : '';
      return [
        {
          status: 'FAIL',
          message: `${overdue.length} of ${countInstances(total, 'running')} ${overdue.length === 1 ? 'is' : 'are'} not registered with SSM after the ${graceMinutes}-minute grace period, so Session Manager cannot reach ${overdue.length === 1 ? 'it' : 'them'}: ${listIds(overdue.map((o) => o.label))}. Check the instance profile's SSM permissions, the route to the SSM endpoints and the SSM Agent.${graceNote}${unknownNote}`,
          resources: overdue.map((o) => instanceRef(o.i.ec2InstanceId, ctx)),
        },
      ];
    }
    if (unknown.length > 0) {
      const outcome = errorOutcome('SSM registration', describeUnknown(unknown));
      return [{ ...outcome, message: `${outcome.message}${graceNote}` }];
    }
    const registered = total - inGrace.length;
    return [
      {
        status: 'PASS',
        message:
          inGrace.length === 0
            ? `All ${countInstances(total, 'running')} are registered with SSM.`
            : `${registered} of ${countInstances(total, 'running')} ${registered === 1 ? 'is' : 'are'} registered with SSM.${graceNote}`,
      },
    ];
  },
};
