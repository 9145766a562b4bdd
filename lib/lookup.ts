/**
 * Lookups of a cluster's related data in its region's snapshot, for checks. Each lookup returns
 * the data or the reason it is missing, so a check can answer ERROR with that reason instead of
 * guessing (missing data is never a pass).
 */
import type { EvalContext, Outcome, ResourceRef } from '../checks/contract.js';
import type {
  Cluster,
  ClusterGroupRef,
  ClusterInstance,
  CollectionError,
  InlinePolicy,
  InstanceProfile,
  ManagedPolicy,
  Role,
  SecurityConfiguration,
  SecurityGroup,
  GroupRole,
} from './snapshot.js';

export type Lookup<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Lookup<T> => ({ ok: true, value });
const missing = <T>(reason: string): Lookup<T> => ({ ok: false, reason });

/** One line naming each failed call: `iam:GetRole AccessDenied (User … is not authorized …)`. */
export function describeErrors(errors: readonly CollectionError[]): string {
  if (errors.length === 0) return 'the data was not collected.';
  return errors.map((e) => `${e.api} ${e.code}${e.message ? ` (${e.message})` : ''}`).join('; ');
}

/** The ERROR outcome for a failed lookup. */
export function errorOutcome(what: string, reason: string): Outcome {
  return { status: 'ERROR', message: `Could not evaluate: ${what} unavailable — ${reason}` };
}

// ---------------------------------------------------------------- security groups

export type { ClusterGroupRef, GroupRole } from './snapshot.js';

/** The cluster security groups of CHECKS.md, each once, with the first role it plays. */
export function clusterSecurityGroupRefs(cluster: Cluster): ClusterGroupRef[] {
  const ec2 = cluster.ec2;
  if (!ec2) return [];
  const refs: ClusterGroupRef[] = [];
  const add = (groupId: string | undefined, role: GroupRole): void => {
    if (groupId && !refs.some((r) => r.groupId === groupId)) refs.push({ groupId, role });
  };
  add(ec2.emrManagedMasterSecurityGroup, 'master');
  add(ec2.emrManagedSlaveSecurityGroup, 'slave');
  add(ec2.serviceAccessSecurityGroup, 'serviceAccess');
  for (const g of ec2.additionalMasterSecurityGroups) add(g, 'additionalMaster');
  for (const g of ec2.additionalSlaveSecurityGroups) add(g, 'additionalSlave');
  return refs;
}

/** The cluster's security groups; fails if any one of them is unavailable. */
export function lookupClusterSecurityGroups(cluster: Cluster, ctx: EvalContext): Lookup<Array<ClusterGroupRef & { group: SecurityGroup }>> {
  const out: Array<ClusterGroupRef & { group: SecurityGroup }> = [];
  const reasons: string[] = [];
  for (const ref of clusterSecurityGroupRefs(cluster)) {
    const group = ctx.region.snapshot.securityGroups[ref.groupId];
    if (group) out.push({ ...ref, group });
    else reasons.push(`security group ${ref.groupId}: ${describeErrors(ctx.region.errorsFor('securityGroup', ref.groupId))}`);
  }
  return reasons.length > 0 ? missing(reasons.join('; ')) : ok(out);
}

export function groupRef(group: Pick<SecurityGroup, 'groupId' | 'ownerId'>, ctx: EvalContext): ResourceRef {
  const owner = group.ownerId ?? ctx.region.accountId;
  return {
    type: 'AwsEc2SecurityGroup',
    id: group.groupId,
    arn: `arn:${ctx.region.partition}:ec2:${ctx.region.region}:${owner}:security-group/${group.groupId}`,
  };
}

// ---------------------------------------------------------------- security configuration

export type SecurityConfigurationLookup =
  | { kind: 'none' }
  | { kind: 'ok'; config: SecurityConfiguration }
  | { kind: 'error'; reason: string };

export function lookupSecurityConfiguration(cluster: Cluster, ctx: EvalContext): SecurityConfigurationLookup {
  const name = cluster.securityConfiguration;
  if (!name) return { kind: 'none' };
  const config = ctx.region.snapshot.securityConfigurations[name];
  if (config) return { kind: 'ok', config };
  return { kind: 'error', reason: `security configuration "${name}": ${describeErrors(ctx.region.errorsFor('securityConfiguration', name))}` };
}

// ---------------------------------------------------------------- instances

/** The cluster's RUNNING instances, or why they are unknown. */
export function lookupRunningInstances(cluster: Cluster, ctx: EvalContext): Lookup<ClusterInstance[]> {
  if (!cluster.instances) {
    return missing(`instances of ${cluster.id}: ${describeErrors(ctx.region.errorsFor('clusterInstances', cluster.id))}`);
  }
  return ok(cluster.instances.filter((i) => i.state === 'RUNNING'));
}

export function instanceRef(ec2InstanceId: string, ctx: EvalContext): ResourceRef {
  return {
    type: 'AwsEc2Instance',
    id: ec2InstanceId,
    arn: `arn:${ctx.region.partition}:ec2:${ctx.region.region}:${ctx.region.accountId}:instance/${ec2InstanceId}`,
  };
}

// ---------------------------------------------------------------- IAM

/** Name of an instance profile or role from a name or an ARN (`arn:…:instance-profile/path/name`). */
export function nameFromRef(ref: string): string {
  if (!ref.startsWith('arn:')) return ref;
  const resource = ref.split(':').slice(5).join(':');
  return resource.slice(resource.lastIndexOf('/') + 1);
}

/** A role every part of which was read. */
export type CompleteRole = Role & { arn: string; attachedPolicyArns: string[]; inlinePolicies: InlinePolicy[] };

function isComplete(role: Role): role is CompleteRole {
  return role.arn !== undefined && role.attachedPolicyArns !== undefined && role.inlinePolicies !== undefined;
}

export interface InstanceProfileData {
  profile: InstanceProfile;
  role: CompleteRole;
  /** Attached managed policies, in the role's order. */
  attached: ManagedPolicy[];
  /** The permissions boundary policy, when the role has one. */
  boundary?: ManagedPolicy;
}

/** The cluster's instance profile and the name of the role inside it, or why they are unknown. */
export function lookupProfileRoleName(cluster: Cluster, ctx: EvalContext): Lookup<{ profile: InstanceProfile; roleName: string }> {
  const ref = cluster.ec2?.instanceProfile;
  if (!ref) return missing('the cluster reports no instance profile');
  const profile = ctx.region.snapshot.instanceProfiles[ref];
  if (!profile) return missing(`instance profile ${ref}: ${describeErrors(ctx.region.errorsFor('instanceProfile', ref))}`);
  const roleName = profile.roleNames[0];
  if (!roleName) return missing(`instance profile ${profile.name} contains no role`);
  return ok({ profile, roleName });
}

/** Collection errors of a role: GetRole and its policy lists and inline documents. */
export function roleErrors(roleName: string, ctx: EvalContext): CollectionError[] {
  return [...ctx.region.errorsFor('role', roleName), ...ctx.region.errorsFor('rolePolicies', roleName)];
}

/** The parts of a role, each read by its own calls: a check asks only for the parts it uses. */
export type RolePart = 'meta' | 'attached' | 'inline';

const PART_APIS: Record<RolePart, readonly string[]> = {
  meta: ['iam:GetRole'],
  attached: ['iam:ListAttachedRolePolicies'],
  inline: ['iam:ListRolePolicies', 'iam:GetRolePolicy'],
};
const KNOWN_APIS = new Set(Object.values(PART_APIS).flat());

/**
 * Why the given parts of a role are not known, naming each missing part and the calls that failed,
 * or undefined when they all are. A part is missing when it is absent from the snapshot or a call
 * that reads it failed (an error of an unknown call counts against every part: fail closed).
 */
export function missingRoleParts(roleName: string, role: Role | undefined, parts: readonly RolePart[], ctx: EvalContext): string | undefined {
  const errors = roleErrors(roleName, ctx);
  if (!role) return `role ${roleName}: ${describeErrors(errors)}`;
  const reasons: string[] = [];
  const unknown = errors.filter((e) => !KNOWN_APIS.has(e.api));
  for (const part of parts) {
    const failed = [...errors.filter((e) => PART_APIS[part].includes(e.api)), ...unknown];
    const absent =
      part === 'meta' ? role.arn === undefined : part === 'attached' ? role.attachedPolicyArns === undefined : role.inlinePolicies === undefined || (role.unreadInlinePolicies ?? []).length > 0;
    if (!absent && failed.length === 0) continue;
    const unread = role.unreadInlinePolicies ?? [];
    const what =
      part === 'meta'
        ? `role ${roleName} (its ARN and permissions boundary)`
        : part === 'attached'
          ? `the attached policy list of role ${roleName}`
          : role.inlinePolicies === undefined
            ? `the inline policy list of role ${roleName}`
            : unread.length > 0
              ? `inline ${unread.length === 1 ? 'policy' : 'policies'} ${unread.map((n) => `${roleName}/${n}`).join(', ')}`
              : `the inline policies of role ${roleName}`;
    reasons.push(`${what}: ${describeErrors(failed)}`);
  }
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

/**
 * The cluster's instance profile, its role, the role's managed policies and its boundary — all of
 * it or the reason some of it is missing (a partial policy set could hide a Deny or an Allow).
 */
export function lookupInstanceProfile(cluster: Cluster, ctx: EvalContext): Lookup<InstanceProfileData> {
  const named = lookupProfileRoleName(cluster, ctx);
  if (!named.ok) return named;
  const { profile, roleName } = named.value;
  const snap = ctx.region.snapshot;
  const stored = snap.roles[roleName];
  const gap = missingRoleParts(roleName, stored, ['meta', 'attached', 'inline'], ctx);
  if (gap !== undefined || !stored) return missing(gap ?? `role ${roleName}: the data was not collected.`);
  // The same object, not a copy: parsed policies and verdicts are cached per role object.
  if (!isComplete(stored)) return missing(`role ${roleName}: the data was not collected.`);
  const role = stored;
  const attached: ManagedPolicy[] = [];
  const reasons: string[] = [];
  const policy = (arn: string): ManagedPolicy | undefined => {
    const p = snap.managedPolicies[arn];
    if (!p) reasons.push(`policy ${arn}: ${describeErrors(ctx.region.errorsFor('managedPolicy', arn))}`);
    return p;
  };
  for (const arn of role.attachedPolicyArns) {
    const p = policy(arn);
    if (p) attached.push(p);
  }
  const boundary = role.permissionsBoundaryArn ? policy(role.permissionsBoundaryArn) : undefined;
  if (reasons.length > 0) return missing(reasons.join('; '));
  return ok(boundary ? { profile, role, attached, boundary } : { profile, role, attached });
}

export function roleRef(role: Pick<Role, 'name' | 'arn'>): ResourceRef {
  return { type: 'AwsIamRole', id: role.name, arn: role.arn };
}

export function policyRef(policy: Pick<ManagedPolicy, 'name' | 'arn'>): ResourceRef {
  return { type: 'AwsIamPolicy', id: policy.name, arn: policy.arn };
}
