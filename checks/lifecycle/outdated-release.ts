import { describeErrors, errorOutcome } from '../../lib/lookup.js';
import { minorReleasesBehind, newestRelease, parseReleaseLabel, type ReleaseVersion } from '../../lib/release.js';
import { TYPES, type ClusterCheck } from '../contract.js';
import { complianceFor } from '../../lib/compliance.js';

export const check: ClusterCheck = {
  id: 'lifecycle/outdated-release',
  title: 'Cluster runs an outdated EMR release',
  severity: 'LOW',
  scope: 'cluster',
  description:
    'The cluster runs an EMR release of an old major version or many minor releases behind the newest of its major, and misses security fixes in the bundled applications and OS.',
  types: [TYPES.bestPractices],
  remediation: {
    text: 'Test the workload on the newest EMR release of the same major (or of the newest major for an old major) and relaunch the cluster with that ReleaseLabel. Keep cluster templates on a recent release and rebuild long-running clusters regularly so they pick up patched applications and Amazon Linux updates.',
    url: 'https://docs.aws.amazon.com/emr/latest/ReleaseGuide/emr-release-components.html',
  },
  permissions: ['elasticmapreduce:DescribeCluster', 'elasticmapreduce:ListReleaseLabels'],
  settings: ['maxMinorReleasesBehind', 'minimumMajorRelease'],
  compliance: complianceFor('lifecycle/outdated-release'),
  evaluate(cluster, ctx) {
    const { minimumMajorRelease, maxMinorReleasesBehind } = ctx.settings;
    const available = ctx.region.releases;
    const newestOverall = available ? newestRelease(available) : undefined;
    const newestNote = newestOverall ? ` The newest release in ${ctx.region.region} is ${newestOverall.label}.` : '';

    if (!cluster.releaseLabel) {
      return [
        {
          status: 'FAIL',
          message: `Cluster ${cluster.name} (${cluster.id}) has no ReleaseLabel: it runs a pre-4.x AMI version, older than any supported major (minimum ${minimumMajorRelease}).${newestNote} Relaunch it on a current release.`,
        },
      ];
    }
    const current = parseReleaseLabel(cluster.releaseLabel);
    if (!current) {
      return [{ status: 'ERROR', message: `Could not evaluate: release label "${cluster.releaseLabel}" is not of the form emr-X.Y.Z.` }];
    }
    if (current.major < minimumMajorRelease) {
      return [
        {
          status: 'FAIL',
          message: `${current.label} is of major release ${current.major}, older than the minimum major ${minimumMajorRelease} (minimumMajorRelease).${newestNote} Relaunch the cluster on a ${minimumMajorRelease}.x or newer release.`,
        },
      ];
    }
    if (!available) {
      return [errorOutcome('the list of EMR releases', describeErrors(ctx.region.errorsFor('releaseLabels', ctx.region.region)))];
    }
    if (available.length === 0) {
      return [errorOutcome('the list of EMR releases', `ListReleaseLabels returned no emr-X.Y.Z label in ${ctx.region.region}`)];
    }

    const sameMajor = available.filter((r) => r.major === current.major);
    const newest: ReleaseVersion = newestRelease([current, ...sameMajor]) ?? current;
    const behind = minorReleasesBehind(current, sameMajor);
    const position = `${current.label} is ${behind} minor release${behind === 1 ? '' : 's'} behind ${newest.label}, the newest ${current.major}.x release in ${ctx.region.region}`;
    if (behind > maxMinorReleasesBehind) {
      return [
        {
          status: 'FAIL',
          message: `${position}; at most ${maxMinorReleasesBehind} are allowed (maxMinorReleasesBehind). Relaunch the cluster on ${newest.label}.`,
        },
      ];
    }
    if (behind === 0) {
      return [{ status: 'PASS', message: `${current.label} is on the newest ${current.major}.x minor release (newest in ${ctx.region.region}: ${newest.label}).` }];
    }
    return [{ status: 'PASS', message: `${position}; up to ${maxMinorReleasesBehind} are allowed.` }];
  },
};
