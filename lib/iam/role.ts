/**
 * The IAM data of a cluster as the iam/* checks need it, from the snapshot: each lookup returns
 * the data or the reason it is missing, and asks only for what its checks use (the attached-policy
 * list of a role does not depend on its inline policies or its boundary).
 */
import { RecentMap } from '../recent.js';
import type { EvalContext, ResourceRef } from '../../checks/contract.js';
import { describeErrors, lookupInstanceProfile, lookupProfileRoleName, missingRoleParts, policyRef, roleRef, type InstanceProfileData, type Lookup } from '../lookup.js';
import { INSTANCE_PROFILE_PERMISSIONS } from '../collect/needs.js';
import type { Cluster, InstanceProfile, PolicyDocument, Role, ServiceRole } from '../snapshot.js';
import type { RolePolicies } from './evaluate.js';
import { parsePolicy, type ParsedPolicy, type PolicySource, type Statement } from './statements.js';

/** What the collectors call to gather an instance-profile role and every policy in force for it. */
export const INSTANCE_ROLE_PERMISSIONS = ['elasticmapreduce:DescribeCluster', ...INSTANCE_PROFILE_PERMISSIONS] as const;

const missing = <T>(reason: string): Lookup<T> => ({ ok: false, reason });

/**
 * Parsed policies of the roles asked about most recently (valid while the same policy objects are
 * attached): the same object for every cluster and check of a role, so verdicts computed for it are
 * shared too. The engine evaluates the clusters of one instance profile one after the other, so a
 * few suffice; bounded, a fleet of thousands of roles does not keep every role's statements (and
 * what is cached on them) for the whole run. Managed policies are parsed once per document below.
 */
const MAX_PARSED_ROLES = 2;
const parsedRoles = new RecentMap<Role, { data: InstanceProfileData; result: Lookup<RolePolicies> }>(MAX_PARSED_ROLES);

function sameData(a: InstanceProfileData, b: InstanceProfileData): boolean {
  return a.boundary === b.boundary && a.attached.length === b.attached.length && a.attached.every((p, i) => p === b.attached[i]);
}

/** Parses every policy in force for the instance-profile role; a statement that cannot be read fails the whole. */
export function parseRolePolicies(data: InstanceProfileData): Lookup<RolePolicies> {
  const cached = parsedRoles.get(data.role);
  if (cached && sameData(cached.data, data)) return cached.result;
  const result = parseUncached(data);
  parsedRoles.set(data.role, { data, result });
  return result;
}

/**
 * Parsed managed policies per document object: a managed policy is one object in the snapshot
 * whichever roles attach it, so its statements — and every answer cached on them — are shared by
 * those roles. Weak: the cache lives as long as the snapshot, and grows with distinct policies only.
 */
const parsedManaged = new WeakMap<PolicyDocument, Map<string, ParsedPolicy>>();

function parseManaged(source: Extract<PolicySource, { kind: 'managed' | 'boundary' }>, document: PolicyDocument): ParsedPolicy {
  let bySource = parsedManaged.get(document);
  if (!bySource) {
    bySource = new Map();
    parsedManaged.set(document, bySource);
  }
  const key = `${source.kind}\u0000${source.arn}\u0000${source.name}`;
  let parsed = bySource.get(key);
  if (!parsed) {
    parsed = parsePolicy(source, document);
    bySource.set(key, parsed);
  }
  return parsed;
}

function parseUncached(data: InstanceProfileData): Lookup<RolePolicies> {
  const { role } = data;
  const parsed = [
    ...data.attached.map((p) => parseManaged({ kind: 'managed', name: p.name, arn: p.arn }, p.document)),
    ...role.inlinePolicies.map((p) => parsePolicy({ kind: 'inline', roleName: role.name, policyName: p.name }, p.document)),
  ];
  const boundary = data.boundary ? parseManaged({ kind: 'boundary', name: data.boundary.name, arn: data.boundary.arn }, data.boundary.document) : undefined;
  const problems = [...parsed.flatMap((p) => p.problems), ...(boundary?.problems ?? [])];
  if (problems.length > 0) return missing(problems.join('; '));
  return {
    ok: true,
    value: {
      roleName: role.name,
      identity: parsed.flatMap((p) => p.statements),
      neverMet: [...parsed, ...(boundary ? [boundary] : [])].flatMap((p) => p.neverMet),
      ...(data.boundary && boundary ? { boundary: { name: data.boundary.name, arn: data.boundary.arn, statements: boundary.statements } } : {}),
    },
  };
}

export interface InstanceRolePolicies {
  data: InstanceProfileData;
  policies: RolePolicies;
}

/** The instance-profile role with all its policies parsed, or why they cannot be evaluated. */
export function lookupInstanceRolePolicies(cluster: Cluster, ctx: EvalContext): Lookup<InstanceRolePolicies> {
  const found = lookupInstanceProfile(cluster, ctx);
  if (!found.ok) return found;
  const policies = parseRolePolicies(found.value);
  if (!policies.ok) return policies;
  return { ok: true, value: { data: found.value, policies: policies.value } };
}

function hasAttachedList(role: Role): role is Role & { attachedPolicyArns: string[] } {
  return role.attachedPolicyArns !== undefined;
}

/** The instance profile and its role with its attached-policy list, for checks that read only that list. */
export function lookupInstanceProfileRole(cluster: Cluster, ctx: EvalContext): Lookup<{ profile: InstanceProfile; role: Role & { attachedPolicyArns: string[] } }> {
  const named = lookupProfileRoleName(cluster, ctx);
  if (!named.ok) return named;
  const { profile, roleName } = named.value;
  const role = ctx.region.snapshot.roles[roleName];
  const gap = missingRoleParts(roleName, role, ['attached'], ctx);
  if (gap !== undefined || !role || !hasAttachedList(role)) return missing(gap ?? `role ${roleName}: the data was not collected.`);
  return { ok: true, value: { profile, role } };
}

/** The cluster's service role (`ServiceRole`, a name or an ARN) with its attached-policy list. */
export function lookupServiceRole(cluster: Cluster, ctx: EvalContext): Lookup<ServiceRole> {
  const ref = cluster.serviceRole;
  if (!ref) return missing('the cluster reports no service role');
  const role = ctx.region.snapshot.serviceRoles[ref];
  const errors = ctx.region.errorsFor('rolePolicies', ref);
  if (!role || errors.length > 0) return missing(`service role ${ref}: ${describeErrors(errors)}`);
  return { ok: true, value: role };
}

/** `arn:<any partition>:iam::aws:policy/<path>/<name>`: the AWS managed policy of that name, not a customer copy. */
export function isAwsManagedPolicy(arn: string, name: string): boolean {
  const m = /^arn:[^:]+:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn);
  return m?.[1] === name;
}

/** The role and each policy a list of statements comes from, once each, for a finding's resources. */
export function statementResources(role: Pick<Role, 'name' | 'arn'>, statements: readonly Statement[]): ResourceRef[] {
  const refs: ResourceRef[] = [roleRef(role)];
  for (const { source } of statements) {
    const ref: ResourceRef =
      source.kind === 'inline' ? { type: 'Other', id: `${source.roleName}/${source.policyName}` } : policyRef({ name: source.name, arn: source.arn });
    if (!refs.some((r) => r.type === ref.type && r.id === ref.id)) refs.push(ref);
  }
  return refs;
}

/** `role R (instance profile P)`, naming the profile only when it is named differently. */
export function describeInstanceRole(profile: Pick<InstanceProfile, 'name'>, role: Pick<Role, 'name'>): string {
  return profile.name === role.name ? `role ${role.name}` : `role ${role.name} (instance profile ${profile.name})`;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
