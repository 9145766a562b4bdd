/**
 * Suppression (CHECKS.md "Suppression"): which checks' FAIL and ERROR results of a cluster are
 * turned into SUPPRESSED, and by what — the cluster's `emr-audit:suppress` tag (unless
 * `EMR_AUDIT_SUPPRESSION_TAGS=false`) or a central rule of `EMR_AUDIT_SUPPRESSIONS`, which must
 * carry a reason and an expiry at most a year ahead. Every source is named, so the
 * `audit/suppressed` finding can say who silenced what. Pure: time comes in as an argument.
 */
import * as z from 'zod';
import type { Cluster } from './snapshot.js';

export const SUPPRESS_TAG = 'emr-audit:suppress';
/** The pseudo check of the per-cluster suppression finding. */
export const SUPPRESSED_CHECK_ID = 'audit/suppressed';
export const MAX_SUPPRESSION_RULES = 500;

export interface SuppressionRule {
  /** A check id or `area/*`. */
  check: string;
  /** Exactly one selector. */
  clusterId?: string;
  /** A glob over the cluster name (`*` any run of characters, `?` one). */
  clusterName?: string;
  /** `key=value`: clusters carrying this tag with this value. */
  tag?: { key: string; value: string };
  reason: string;
  /** As written (`2027-03-31` or an ISO timestamp); a date means through the end of that day, UTC. */
  expires: string;
  /** Epoch ms from which the rule no longer applies. */
  expiresAt: number;
  /** 1-based position in the setting, for messages. */
  index: number;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

const RawRule = z
  .strictObject({
    check: z.string().min(1).max(200),
    clusterId: z.string().regex(/^j-[0-9A-Z]{1,64}$/, { error: 'must be an EMR cluster id (j-…)' }).optional(),
    clusterName: z.string().min(1).max(256).optional(),
    tag: z
      .string()
      .regex(/^[^=]{1,128}=.{0,256}$/, { error: 'must be key=value' })
      .optional(),
    reason: z.string({ error: 'a reason is required' }).trim().min(3, { error: 'a reason is required (at least 3 characters)' }).max(500),
    expires: z.string({ error: 'an expiry date is required (YYYY-MM-DD)' }).refine((s) => DATE.test(s) || TIMESTAMP.test(s), { error: 'must be a date YYYY-MM-DD or an ISO timestamp' }),
  })
  .refine((r) => [r.clusterId, r.clusterName, r.tag].filter((x) => x !== undefined).length === 1, {
    error: 'needs exactly one cluster selector: clusterId, clusterName (a glob) or tag (key=value)',
  });

function expiryOf(expires: string): number {
  // A date covers the whole day: the rule stops applying at the next midnight UTC.
  const at = DATE.test(expires) ? Date.parse(`${expires}T00:00:00Z`) + 86_400_000 : Date.parse(expires);
  if (!Number.isFinite(at)) throw new Error(`"${expires}" is not a valid date`);
  return at;
}

/** One year after `now` (same calendar day), the latest expiry a rule may have. */
function oneYearAfter(now: Date): Date {
  const limit = new Date(now.getTime());
  limit.setUTCFullYear(limit.getUTCFullYear() + 1);
  return limit;
}

/**
 * Parses `EMR_AUDIT_SUPPRESSIONS` (a JSON list). Throws with the rule's position and the problem.
 * `now` is the run's clock: an expiry more than a year ahead of it is refused.
 */
export function parseSuppressionRules(raw: string, options: { knownCheckIds?: readonly string[]; now?: Date } = {}): SuppressionRule[] {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error('expected a JSON list of rules, e.g. [{"check":"network/*","clusterId":"j-…","reason":"…","expires":"2027-03-31"}]');
  }
  if (!Array.isArray(json)) throw new Error('expected a JSON list of rules');
  if (json.length > MAX_SUPPRESSION_RULES) throw new Error(`at most ${MAX_SUPPRESSION_RULES} rules (got ${json.length})`);
  const known = options.knownCheckIds;
  return json.map((item, i): SuppressionRule => {
    const where = `rule ${i + 1}`;
    const parsed = RawRule.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.length ? `.${issue.path.map(String).join('.')}` : '';
      const what = issue?.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}` : (issue?.message ?? 'invalid');
      throw new Error(`${where}${field}: ${what}`);
    }
    const r = parsed.data;
    if (known) {
      const ok = r.check.endsWith('/*') ? known.some((id) => id.startsWith(r.check.slice(0, -1))) : known.includes(r.check);
      if (!ok) throw new Error(`${where}.check: unknown check id or area "${r.check}" (see \`emr-audit checks\`)`);
    }
    const expiresAt = expiryOf(r.expires);
    if (options.now) {
      const limit = oneYearAfter(options.now);
      const tooLate = DATE.test(r.expires) ? r.expires > limit.toISOString().slice(0, 10) : expiresAt > limit.getTime();
      if (tooLate) throw new Error(`${where}.expires: ${r.expires} is more than one year ahead (at most ${limit.toISOString().slice(0, 10)})`);
    }
    const tag = r.tag === undefined ? undefined : { key: r.tag.slice(0, r.tag.indexOf('=')), value: r.tag.slice(r.tag.indexOf('=') + 1) };
    return {
      check: r.check,
      ...(r.clusterId !== undefined ? { clusterId: r.clusterId } : {}),
      ...(r.clusterName !== undefined ? { clusterName: r.clusterName } : {}),
      ...(tag ? { tag } : {}),
      reason: r.reason,
      expires: r.expires,
      expiresAt,
      index: i + 1,
    };
  });
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

export function ruleMatchesCluster(rule: SuppressionRule, cluster: Pick<Cluster, 'id' | 'name' | 'tags'>): boolean {
  if (rule.clusterId !== undefined) return cluster.id === rule.clusterId;
  if (rule.clusterName !== undefined) return globToRegExp(rule.clusterName).test(cluster.name);
  if (rule.tag) return cluster.tags[rule.tag.key] === rule.tag.value;
  return false;
}

export function ruleCoversCheck(rule: Pick<SuppressionRule, 'check'>, checkId: string): boolean {
  return rule.check.endsWith('/*') ? checkId.startsWith(rule.check.slice(0, -1)) : rule.check === checkId;
}

export function describeRule(rule: SuppressionRule): string {
  const selector = rule.clusterId !== undefined ? `cluster ${rule.clusterId}` : rule.clusterName !== undefined ? `clusters named ${rule.clusterName}` : `clusters tagged ${rule.tag?.key}=${rule.tag?.value}`;
  return `EMR_AUDIT_SUPPRESSIONS rule ${rule.index} (${rule.check} on ${selector}; reason: ${rule.reason}; expires ${rule.expires})`;
}

export function isExpired(rule: SuppressionRule, now: Date): boolean {
  return now.getTime() >= rule.expiresAt;
}

/** One line per expired rule: reported once per run, the rule no longer applies. */
export function expiredRuleLines(rules: readonly SuppressionRule[], now: Date): string[] {
  return rules.filter((r) => isExpired(r, now)).map((r) => `${describeRule(r)} has expired and no longer suppresses anything: renew or remove it`);
}

/** What suppresses checks on one cluster: `sources(checkId)` names every source covering it. */
export interface ClusterSuppression {
  sources(checkId: string): string[];
}

/** The tag's value as a list of check ids (`*` for all), or undefined without the tag. */
export function suppressTagValue(cluster: Pick<Cluster, 'tags'>): string | undefined {
  return Object.entries(cluster.tags).find(([k]) => k.toLowerCase() === SUPPRESS_TAG)?.[1];
}

export function clusterSuppression(
  cluster: Pick<Cluster, 'id' | 'name' | 'tags'>,
  options: { rules: readonly SuppressionRule[]; honourTags: boolean; now: Date },
): ClusterSuppression | undefined {
  const tagValue = options.honourTags ? suppressTagValue(cluster) : undefined;
  const tagIds = tagValue === undefined ? undefined : new Set(tagValue.split(',').map((s) => s.trim()).filter(Boolean));
  const rules = options.rules.filter((r) => !isExpired(r, options.now) && ruleMatchesCluster(r, cluster));
  if (!tagIds && rules.length === 0) return undefined;
  const tagSource = `cluster tag ${SUPPRESS_TAG}=${tagValue ?? ''}`;
  return {
    sources: (checkId) => [
      ...(tagIds && (tagIds.has('*') || tagIds.has(checkId)) ? [tagSource] : []),
      ...rules.filter((r) => ruleCoversCheck(r, checkId)).map(describeRule),
    ],
  };
}
