/**
 * `emr-audit change-events`: will the CloudTrail events of change-triggered audits flow? For each
 * audited Region, and us-east-1 where IAM's events arrive, one line: OK (which trail), WARNING (no
 * trail applies, or each is stopped or leaves the write calls out), or "cannot tell" (a trail that
 * may not be read). Exit 0 without a WARNING, 1 with one (lib/events/trail-check.ts decides).
 */
import type { AwsClients } from '../../lib/aws/clients.js';
import type { TrailVerdict } from '../../lib/events/trail-check.js';
import type { ChangeSource } from '../../lib/events/change-calls.js';
import { parseFlags, UsageError, type FlagSpecs } from '../args.js';
import { CHANGE_EVENTS_HELP } from '../help.js';
import { AuditCouldNotRunError, type CliIo } from '../io.js';
import { defaultClients } from '../live.js';
import { checkProfile } from '../profile.js';
import { defaultRegions, liveRegions, settingsFrom, wantsAllRegions } from '../scope.js';

export const FLAGS: FlagSpecs = {
  region: { type: 'string', multiple: true },
  profile: { type: 'string' },
  format: { type: 'string' },
  set: { type: 'string', multiple: true },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
};

const LABEL: Readonly<Record<TrailVerdict['status'], string>> = { recorded: 'OK', 'not-recorded': 'WARNING', unknown: 'cannot tell' };
const JSON_STATUS: Readonly<Record<TrailVerdict['status'], string>> = { recorded: 'OK', 'not-recorded': 'WARNING', unknown: 'CANNOT_TELL' };
const SHORT: Readonly<Record<ChangeSource, string>> = { 'ec2.amazonaws.com': 'EC2', 'elasticmapreduce.amazonaws.com': 'EMR', 'ssm.amazonaws.com': 'SSM', 'iam.amazonaws.com': 'IAM' };

export async function changeEventsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(argv, FLAGS, 'change-events');
  if (flags.has('help')) {
    io.stdout.write(CHANGE_EVENTS_HELP);
    return 0;
  }
  if (flags.positionals.length > 0) throw new UsageError(`change-events takes no arguments (got "${flags.positionals[0]}"); run \`emr-audit change-events --help\``);
  const format = flags.string('format') ?? 'table';
  if (format !== 'table' && format !== 'json') throw new UsageError(`--format ${format}: expected table or json`);
  const quiet = flags.has('quiet');
  const settings = settingsFrom(flags, io);
  const profileName = flags.string('profile');
  const profile = profileName === undefined ? undefined : await checkProfile(profileName, io.env);

  let clients: AwsClients | undefined = io.clients;
  let audited: string[];
  if (wantsAllRegions(flags)) {
    const home = (await defaultRegions(settings, io, profile))?.[0] ?? 'us-east-1';
    clients ??= await defaultClients(settings, [home], profile);
    const { allRegions } = await import('../all-regions.js');
    audited = await allRegions(clients, home, io.stderr, quiet);
  } else {
    audited = await liveRegions(flags, settings, io, profile);
  }
  clients ??= await defaultClients(settings, audited, profile);

  const { resolveAccountId, AuditUnavailableError } = await import('../../lib/collect/index.js');
  let accountId: string;
  try {
    accountId = await resolveAccountId(clients);
  } catch (e) {
    if (e instanceof AuditUnavailableError) throw new AuditCouldNotRunError(`the check could not run: ${e.message}`);
    throw e;
  }

  const { checkTrails, trailCheckTargets } = await import('../../lib/events/trail-check.js');
  const { partitionOf } = await import('../../lib/regions.js');
  // IAM's events arrive in us-east-1 in the aws partition; elsewhere the audited Regions only.
  const targets = trailCheckTargets(audited).filter((t) => audited.includes(t.region) || partitionOf(audited[0]!) === 'aws');
  const { createCloudTrailClients } = await import('../../lib/aws/cloudtrail-clients.js');
  const cloudTrail = createCloudTrailClients({
    maxAttempts: settings.maxAttempts,
    connectTimeoutMs: settings.connectTimeoutMs,
    requestTimeoutMs: settings.requestTimeoutMs,
    ...(profile ? { profile } : {}),
  });
  const verdicts = await checkTrails(targets, cloudTrail, accountId);
  const services = new Map(targets.map((t) => [t.region, t.sources]));

  if (format === 'json') {
    const regions = verdicts.map((v) => ({
      region: v.region,
      status: JSON_STATUS[v.status],
      services: services.get(v.region) ?? [],
      ...(v.status === 'recorded' ? { trails: v.trails } : { reason: v.why }),
    }));
    io.stdout.write(`${JSON.stringify({ accountId, regions }, null, 2)}\n`);
  } else {
    const width = Math.max(...verdicts.map((v) => v.region.length));
    for (const v of verdicts) {
      const what = (services.get(v.region) ?? []).map((s) => SHORT[s]).join(', ');
      const text =
        v.status === 'recorded'
          ? `${what} write calls logged by trail ${v.trail}`
          : v.status === 'not-recorded'
            ? `${v.why}. ${what} changes there will not trigger audits (the schedule still covers them)`
            : v.why;
      io.stdout.write(`${v.region.padEnd(width)}  ${LABEL[v.status].padEnd(11)}  ${text}\n`);
    }
  }
  const warned = verdicts.some((v) => v.status === 'not-recorded');
  if (warned && !quiet) {
    io.stderr.write('emr-audit: change-triggered audits need a logging CloudTrail trail that records write management events in each Region above; see docs/change-triggered.md, "What CloudTrail must record"\n');
  }
  return warned ? 1 : 0;
}
