/**
 * Whether CloudTrail events will reach EventBridge for change-triggered audits (docs/change-
 * triggered.md "What CloudTrail must record"). The EventBridge User Guide ("Events from AWS
 * services"): "To record events with a detail-type value of AWS API Call via CloudTrail, a
 * CloudTrail trail with logging enabled is required." So per Region: does a trail that applies to it
 * (its own, a multi-Region trail, an organization trail) log the write management events of the
 * services whose calls trigger audits there?
 *
 * Two halves: `trailVerdict` is pure (what was read → OK / WARNING / cannot tell), `readTrails`
 * reads it (DescribeTrails with shadow trails in each Region; GetTrailStatus and GetEventSelectors
 * once per trail, in its home Region, by ARN). Used by `emr-audit change-events` and by the deploy
 * plugin; the function itself gets no CloudTrail permission. It warns only where it can tell: a
 * trail it may not read (an organization trail seen from a member account) is "cannot tell".
 */
import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  type AdvancedEventSelector,
  type AdvancedFieldSelector,
  type CloudTrailClient,
  type EventSelector,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import { failureOf } from '../collect/calls.js';
import { CHANGE_CALLS, IAM_EVENTS_REGION, REGIONAL_SOURCES, type ChangeSource } from './change-calls.js';

/** A Region to check, and the services whose write calls must reach EventBridge there. */
export interface TrailCheckTarget {
  region: string;
  sources: readonly ChangeSource[];
}

/**
 * Where change events come from: each audited Region (EC2, EMR, SSM), and us-east-1 for IAM
 * (audited or not: IAM is global and its events reach EventBridge there only).
 */
export function trailCheckTargets(auditedRegions: readonly string[]): TrailCheckTarget[] {
  const audited = new Set(auditedRegions);
  return [...new Set([...audited, IAM_EVENTS_REGION])].sort().map((region) => ({
    region,
    sources: [...(audited.has(region) ? REGIONAL_SOURCES : []), ...(region === IAM_EVENTS_REGION ? (['iam.amazonaws.com'] as const) : [])],
  }));
}

// ── what was read ───────────────────────────────────────────────────────────────────────────────

export interface TrailSelectors {
  eventSelectors?: readonly EventSelector[];
  advancedEventSelectors?: readonly AdvancedEventSelector[];
}

/** GetTrailStatus and (when it logs) GetEventSelectors of one trail, or why they could not be read. */
export type TrailReading = { ok: true; isLogging: boolean; selectors?: TrailSelectors } | { ok: false; error: string };

export interface TrailFacts {
  trail: Pick<Trail, 'Name' | 'TrailARN' | 'HomeRegion' | 'IsMultiRegionTrail' | 'IsOrganizationTrail' | 'IncludeGlobalServiceEvents'>;
  reading: TrailReading;
}

/** DescribeTrails (with shadow trails) in one Region and each trail's reading, or why not. */
export type RegionTrails = { ok: true; trails: TrailFacts[] } | { ok: false; error: string };

// ── the verdict ─────────────────────────────────────────────────────────────────────────────────

/** A trail that logs what a Region needs, as JSON output names it. */
export interface RecordingTrail {
  name: string;
  arn?: string;
  homeRegion?: string;
  multiRegion: boolean;
  organization: boolean;
}

export type TrailVerdict =
  /** `trail`: the trails for people (`"management" (multi-Region, home us-east-1)`); `trails`: the same, field by field. */
  | { region: string; status: 'recorded'; trail: string; trails: RecordingTrail[] }
  | { region: string; status: 'not-recorded'; why: string }
  | { region: string; status: 'unknown'; why: string };

const SHORT: Readonly<Record<ChangeSource, string>> = {
  'ec2.amazonaws.com': 'EC2',
  'elasticmapreduce.amazonaws.com': 'EMR',
  'ssm.amazonaws.com': 'SSM',
  'iam.amazonaws.com': 'IAM',
};
const ALL_SOURCES = Object.keys(CHANGE_CALLS) as ChangeSource[];
const names = (sources: Iterable<ChangeSource>): string => [...sources].map((s) => SHORT[s]).join(', ');
const trailName = (t: TrailFacts['trail']): string => t.Name ?? t.TrailARN ?? '(unnamed)';
/** The account of a trail's ARN (`arn:aws:cloudtrail:us-east-1:111122223333:trail/x`). */
const arnAccount = (arn: string | undefined): string | undefined => arn?.split(':')[4] || undefined;

/** Does a field selector let a value through? Equals/StartsWith restrict; NotEquals/NotStartsWith exclude. */
function admits(f: AdvancedFieldSelector, value: string): boolean {
  if (f.Equals && !f.Equals.includes(value)) return false;
  if (f.StartsWith && !f.StartsWith.some((p) => value.startsWith(p))) return false;
  if (f.EndsWith && !f.EndsWith.some((p) => value.endsWith(p))) return false;
  if (f.NotEquals?.includes(value)) return false;
  if (f.NotStartsWith?.some((p) => value.startsWith(p))) return false;
  if (f.NotEndsWith?.some((p) => value.endsWith(p))) return false;
  return true;
}

/** The services whose write management events one advanced selector logs. */
function advancedSources(selector: AdvancedEventSelector): ChangeSource[] {
  const fields = selector.FieldSelectors ?? [];
  const field = (name: string) => fields.filter((f) => f.Field === name);
  if (!field('eventCategory').some((f) => admits(f, 'Management')) || field('eventCategory').some((f) => !admits(f, 'Management'))) return [];
  if (field('readOnly').some((f) => !admits(f, 'false'))) return [];
  // Fields other than these (user identity, event type…) narrow what is logged in ways that depend
  // on who calls: not a reason to warn.
  return ALL_SOURCES.filter((s) => field('eventSource').every((f) => admits(f, s)));
}

/** The services whose write management events classic selectors log (none set: CloudTrail's default, all). */
function classicSources(selectors: readonly EventSelector[]): ChangeSource[] {
  if (selectors.length === 0) return ALL_SOURCES;
  const out = new Set<ChangeSource>();
  for (const s of selectors) {
    if (s.IncludeManagementEvents === false || s.ReadWriteType === 'ReadOnly') continue;
    for (const source of ALL_SOURCES) if (!s.ExcludeManagementEventSources?.includes(source)) out.add(source);
  }
  return [...out];
}

/**
 * The needed services a logging trail records the write management events of, and, for those it
 * leaves out, why (in a few words naming the trail's setting).
 */
function coverage(trail: TrailFacts['trail'], selectors: TrailSelectors | undefined, needed: readonly ChangeSource[]): { sources: ChangeSource[]; gap?: string } {
  const advanced = selectors?.advancedEventSelectors ?? [];
  const classic = selectors?.eventSelectors ?? [];
  let logged: ChangeSource[];
  let setting: (missing: string) => string;
  if (advanced.length > 0) {
    logged = [...new Set(advanced.flatMap(advancedSources))];
    setting = (missing) => (logged.length === 0 ? 'its advanced event selectors select no write management events' : `its advanced event selectors leave out the write calls of ${missing}`);
  } else {
    logged = classicSources(classic);
    const management = classic.some((c) => c.IncludeManagementEvents !== false);
    setting = (missing) =>
      logged.length > 0 ? `its event selectors exclude the management events of ${missing}` : management ? 'it records only read (ReadOnly) management events' : 'it records no management events';
  }
  // IAM's events are global service events: a trail that leaves those out does not log them.
  const global = trail.IncludeGlobalServiceEvents === false && logged.includes('iam.amazonaws.com');
  if (global) logged = logged.filter((s) => s !== 'iam.amazonaws.com');
  const sources = needed.filter((s) => logged.includes(s));
  const missing = needed.filter((s) => !logged.includes(s));
  if (missing.length === 0) return { sources };
  const bySelectors = missing.filter((s) => !(global && s === 'iam.amazonaws.com'));
  const gaps = [...(bySelectors.length > 0 ? [setting(names(bySelectors))] : []), ...(global && missing.includes('iam.amazonaws.com') ? ['it leaves out global service events (IAM)'] : [])];
  return { sources, gap: gaps.join(', and ') };
}

/**
 * The verdict for one Region. OK: the logging trails that apply there log the write management
 * events of every needed service. WARNING: none applies, or each is stopped or leaves a needed
 * service out. Cannot tell: a trail could not be read (DescribeTrails itself, or a trail's status
 * or selectors — an organization trail of the management account seen from a member account).
 * `accountId`: the caller's, to name such an organization trail.
 */
export function trailVerdict(target: TrailCheckTarget, read: RegionTrails, accountId?: string): TrailVerdict {
  const { region } = target;
  if (!read.ok) return { region, status: 'unknown', why: read.error };
  if (read.trails.length === 0) return { region, status: 'not-recorded', why: 'no CloudTrail trail applies to this Region' };
  const covered = new Set<ChangeSource>();
  const recording: TrailFacts['trail'][] = [];
  const silent: string[] = [];
  const unreadable: string[] = [];
  for (const { trail, reading } of read.trails) {
    const name = `"${trailName(trail)}"`;
    if (!reading.ok) {
      const owner = arnAccount(trail.TrailARN);
      const foreign = trail.IsOrganizationTrail === true && owner !== undefined && accountId !== undefined && owner !== accountId;
      unreadable.push(foreign ? `organization trail ${name} belongs to account ${owner}: this (member) account cannot read its status (${reading.error}); check it from that account` : `${name}: ${reading.error}`);
      continue;
    }
    if (!reading.isLogging) {
      silent.push(`${name} is stopped (logging off)`);
      continue;
    }
    const { sources, gap } = coverage(trail, reading.selectors, target.sources);
    if (sources.length > 0) recording.push(trail);
    for (const s of sources) covered.add(s);
    if (gap) silent.push(`${name}: ${gap}`);
  }
  const missing = target.sources.filter((s) => !covered.has(s));
  if (missing.length === 0) {
    return {
      region,
      status: 'recorded',
      trail: recording.map((t) => describeTrail(t, region)).join(', '),
      trails: recording.map((t) => ({
        name: trailName(t),
        ...(t.TrailARN ? { arn: t.TrailARN } : {}),
        ...(t.HomeRegion ? { homeRegion: t.HomeRegion } : {}),
        multiRegion: t.IsMultiRegionTrail === true,
        organization: t.IsOrganizationTrail === true,
      })),
    };
  }
  if (unreadable.length > 0) return { region, status: 'unknown', why: `could not read ${unreadable.join('; ')}` };
  return { region, status: 'not-recorded', why: `no trail logs the write management events of ${names(missing)}: ${silent.join('; ')}` };
}

function describeTrail(trail: TrailFacts['trail'], region: string): string {
  const kinds = [trail.IsOrganizationTrail ? 'organization' : undefined, trail.IsMultiRegionTrail ? 'multi-Region' : undefined, trail.HomeRegion && trail.HomeRegion !== region ? `home ${trail.HomeRegion}` : undefined].filter(
    (k): k is string => k !== undefined,
  );
  return `"${trailName(trail)}"${kinds.length > 0 ? ` (${kinds.join(', ')})` : ''}`;
}

// ── reading ─────────────────────────────────────────────────────────────────────────────────────

const why = (api: string, error: unknown): string => {
  const f = failureOf(api, error);
  return `${f.api} ${f.code}: ${f.message}`;
};

/**
 * Each Region's trails. DescribeTrails has no pagination (its answer is the whole `trailList`);
 * with shadow trails it lists the multi-Region and organization trails that apply to the Region as
 * well as the Region's own. A trail is read once however many Regions list it, in its home Region
 * and by ARN (another Region's trail is found only by ARN); a stopped trail's selectors are not read.
 */
export async function readTrails(regions: readonly string[], client: (region: string) => CloudTrailClient): Promise<Map<string, RegionTrails>> {
  const readings = new Map<string, Promise<TrailReading>>();
  const readOne = (trail: Trail, seenIn: string): Promise<TrailReading> => {
    const name = trail.TrailARN ?? trail.Name ?? '';
    const key = `${trail.HomeRegion ?? seenIn}|${name}`;
    let reading = readings.get(key);
    if (!reading) {
      reading = readTrail(client(trail.HomeRegion ?? seenIn), name);
      readings.set(key, reading);
    }
    return reading;
  };
  const out = new Map<string, RegionTrails>();
  await Promise.all(
    [...new Set(regions)].map(async (region) => {
      let trails: Trail[];
      try {
        trails = (await client(region).send(new DescribeTrailsCommand({ includeShadowTrails: true }))).trailList ?? [];
      } catch (error) {
        out.set(region, { ok: false, error: why('cloudtrail:DescribeTrails', error) });
        return;
      }
      const facts = await Promise.all(
        trails.map(async (trail): Promise<TrailFacts> => ({
          trail: {
            Name: trail.Name,
            TrailARN: trail.TrailARN,
            HomeRegion: trail.HomeRegion,
            IsMultiRegionTrail: trail.IsMultiRegionTrail,
            IsOrganizationTrail: trail.IsOrganizationTrail,
            IncludeGlobalServiceEvents: trail.IncludeGlobalServiceEvents,
          },
          reading: await readOne(trail, region),
        })),
      );
      out.set(region, { ok: true, trails: facts });
    }),
  );
  return out;
}

async function readTrail(home: CloudTrailClient, name: string): Promise<TrailReading> {
  let isLogging: boolean;
  try {
    isLogging = (await home.send(new GetTrailStatusCommand({ Name: name }))).IsLogging === true;
  } catch (error) {
    return { ok: false, error: why('cloudtrail:GetTrailStatus', error) };
  }
  if (!isLogging) return { ok: true, isLogging };
  try {
    const s = await home.send(new GetEventSelectorsCommand({ TrailName: name }));
    return { ok: true, isLogging, selectors: { ...(s.EventSelectors ? { eventSelectors: s.EventSelectors } : {}), ...(s.AdvancedEventSelectors ? { advancedEventSelectors: s.AdvancedEventSelectors } : {}) } };
  } catch (error) {
    return { ok: false, error: why('cloudtrail:GetEventSelectors', error) };
  }
}

/** Read and judge every target Region. */
export async function checkTrails(targets: readonly TrailCheckTarget[], client: (region: string) => CloudTrailClient, accountId?: string): Promise<TrailVerdict[]> {
  const read = await readTrails(
    targets.map((t) => t.region),
    client,
  );
  return targets.map((t) => trailVerdict(t, read.get(t.region) ?? { ok: false, error: 'not read' }, accountId));
}
