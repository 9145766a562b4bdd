/**
 * What "on `*`" (every resource of an action, CHECKS.md) means for a statement's Resource /
 * NotResource.
 *
 * The resource types of an action and the ARN format of each type come from the shipped action
 * catalogue (catalogue.ts). A Resource pattern covers every resource of a type when it matches
 * every ARN of that type:
 * - it is `*` (only stars), or
 * - it is an ARN pattern whose service part matches the type's service and whose resource part
 *   matches every resource part the type's format allows: `*` alone, or `*` right after the type's
 *   prefix (`role/*`, `key/*`, `secret:*`, `table/*`; for S3 objects `*` or `*` + `/` + `*`).
 *   Decided exactly, as an inclusion of two wildcard languages (the format's variables stand for
 *   any non-empty name). Any literal character in the name part therefore scopes the pattern
 *   (`arn:aws:s3:::*transcribe*`, `role/*-ROSA-Worker-Role`, `secret:*directconnect*`).
 * - Partition, region and account parts never narrow it (every secret of one region, or of the
 *   role's own account, is still every secret there); a pattern that ends inside them with a field
 *   of only stars (`arn:aws:s3:*`, `arn:*`) swallows everything after it.
 * An action that takes no resource ARN (iam:ListRoles) acts on `*`: a pattern of only stars
 * covers it, and so does an ARN pattern of its service whose resource part is only stars
 * (`arn:aws:iam::*:*`), which grants every resource the service has.
 *
 * A statement covers every resource of a target when one of its Resource patterns does, or — with
 * NotResource — when none of its NotResource patterns covers every resource of the target
 * (excluding some named buckets still leaves every other one).
 */
import { RecentMap } from '../recent.js';
import { catalogued, type ActionTargets, type ResourceTarget } from './catalogue.js';
import { globMatch } from './glob.js';
import type { PatternSpec } from './statements.js';
import { ANY_STRING_UNIVERSE, searchWitness } from './witness.js';

export type { ActionTargets, ResourceTarget } from './catalogue.js';

/**
 * The resource targets of an action or action pattern: "every resource" of a catalogued action is
 * every resource of each of its required types (`all`), or of one of its optional types (`any`).
 * An action the catalogue does not know falls back to its service with no type; `*` (or a pattern
 * over several services) to every service.
 */
export function resourceTargetsOf(action: string): ActionTargets {
  const a = action.toLowerCase();
  const known = catalogued(a);
  if (known) return known.targets;
  const colon = a.indexOf(':');
  if (colon < 0) return { mode: 'all', targets: [{}] };
  const service = a.slice(0, colon);
  return { mode: 'all', targets: [service.includes('*') || service.includes('?') ? {} : { service }] };
}

const ARN_FIELDS_BEFORE_RESOURCE = 5; // arn, partition, service, region, account

const onlyStars = (text: string): boolean => /^\*+$/.test(text);

/** Inclusion answers per (format, resource part): pure, few distinct pairs, bounded. */
const inclusions = new RecentMap<string, boolean>(10_000);

/** Every string of the `format` pattern matches `pattern` (both IAM wildcard patterns). */
function includes(format: string, pattern: string): boolean {
  if (onlyStars(pattern)) return true;
  const key = `${format}\u0000${pattern}`;
  const known = inclusions.get(key);
  if (known !== undefined) return known;
  // A counterexample is a string of the format that the pattern does not match.
  const found = searchWitness([format, pattern], ANY_STRING_UNIVERSE, (m) => {
    const inFormat = m(0);
    const matched = m(1);
    if (inFormat === false || matched === true) return false;
    return inFormat === true && matched === false ? true : undefined;
  });
  // Undecided (beyond the search bound) counts as scoped: never widen a grant by guesswork.
  const result = found.kind === 'none';
  inclusions.set(key, result);
  return result;
}

/** The pattern covers every resource of the target (see the module comment). */
export function isUnscoped(pattern: string, target: ResourceTarget): boolean {
  if (onlyStars(pattern)) return true;
  const fields = pattern.split(':');
  if (fields[0]?.toLowerCase() !== 'arn') return false;
  const serviceMatches = (field: string): boolean => (target.service === undefined ? onlyStars(field) : globMatch(field.toLowerCase(), target.service));
  if (fields.length <= ARN_FIELDS_BEFORE_RESOURCE) {
    // The pattern ends before the resource part: its last field must end with a star that swallows the rest.
    const last = fields.length - 1;
    if (last < 1 || !fields[last]!.endsWith('*')) return false;
    if (last === 1) return onlyStars(fields[1]!);
    return serviceMatches(fields[2]!);
  }
  if (!serviceMatches(fields[2]!)) return false;
  const resource = fields.slice(ARN_FIELDS_BEFORE_RESOURCE).join(':');
  if (target.format === undefined) return onlyStars(resource);
  return includes(target.format, resource);
}

/** A NotResource pattern that removes every resource of some service the target includes. */
function excludesEverything(pattern: string, target: ResourceTarget): boolean {
  if (target.service !== undefined) return isUnscoped(pattern, target);
  // Question about all services: excluding every resource of any one service is an exclusion.
  const service = pattern.split(':')[2]?.toLowerCase();
  return isUnscoped(pattern, {}) || (service !== undefined && isUnscoped(pattern, { service }));
}

/** Answers per statement spec and target: specs are shared by every role that holds the policy. */
const covered = new WeakMap<PatternSpec, Map<string, boolean>>();

/** Keys per target object: targets are the catalogue's, asked about for every statement of every role. */
const keys = new WeakMap<ResourceTarget, string>();

export function targetKey(target: ResourceTarget): string {
  let key = keys.get(target);
  if (key === undefined) {
    key = `${target.service ?? ''}\u0000${target.type ?? ''}\u0000${target.format ?? ''}`;
    keys.set(target, key);
  }
  return key;
}

/** The statement's Resource / NotResource covers every resource of the target. */
export function coversEveryResource(spec: PatternSpec, target: ResourceTarget): boolean {
  let byTarget = covered.get(spec);
  if (!byTarget) {
    byTarget = new Map();
    covered.set(spec, byTarget);
  }
  const key = targetKey(target);
  const known = byTarget.get(key);
  if (known !== undefined) return known;
  const result = spec.not ? !spec.patterns.some((p) => excludesEverything(p, target)) : spec.patterns.some((p) => isUnscoped(p, target));
  byTarget.set(key, result);
  return result;
}

/** Lowercased action patterns a statement is limited to: within one of `only` and none of `except`. */
export interface ActionRestriction {
  only: readonly string[];
  except: readonly string[];
}

const literalService = (pattern: string): string | undefined => {
  const service = pattern.split(':')[2]?.toLowerCase();
  return pattern.toLowerCase().startsWith('arn:') && service && !/[*?]/.test(service) ? service : undefined;
};

/**
 * For the question about `*` (every action of every service) when a statement's Resource does not
 * cover every resource of every service: the services whose every resource it covers
 * (`Resource: arn:aws:iam::*:*` takes part for `iam:*`). Narrower patterns (`role/*`) do not take
 * part in that question; the questions about `iam:*` and single actions judge them per action.
 */
export function partialCoverage(spec: PatternSpec, target: ResourceTarget): ActionRestriction | undefined {
  if (spec.not || target.service !== undefined) return undefined;
  const services = [...new Set(spec.patterns.map(literalService).filter((x): x is string => x !== undefined))];
  const wholes = services.filter((service) => spec.patterns.some((p) => isUnscoped(p, { service })));
  return wholes.length > 0 ? { only: wholes.map((s) => `${s}:*`), except: [] } : undefined;
}
