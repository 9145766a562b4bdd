import { TYPES, type ClusterCheck, type Outcome } from '../contract.js';
import { errorOutcome } from '../../lib/lookup.js';
import { describeGrant, describeRefusal, describeScopedGrant } from '../../lib/iam/describe.js';
import { evaluateAccess, forPassedToService, GRANT_FINDING, type Verdict } from '../../lib/iam/evaluate.js';
import { capitalize, describeInstanceRole, INSTANCE_ROLE_PERMISSIONS, lookupInstanceRolePolicies, statementResources } from '../../lib/iam/role.js';
import { complianceFor } from '../../lib/compliance.js';
import { selfEscalations } from '../../lib/iam/self-escalation.js';

/** Actions that, with iam:PassRole on *, run code under any role (CHECKS.md). */
export const LAUNCH_ACTIONS = ['elasticmapreduce:RunJobFlow', 'ec2:RunInstances', 'lambda:CreateFunction', 'glue:CreateJob', 'cloudformation:CreateStack'] as const;

/** The service principal each launch action passes the role to (`iam:PassedToService`). */
export const LAUNCH_PRINCIPALS: Readonly<Record<(typeof LAUNCH_ACTIONS)[number], string>> = {
  'elasticmapreduce:RunJobFlow': 'elasticmapreduce.amazonaws.com',
  'ec2:RunInstances': 'ec2.amazonaws.com',
  'lambda:CreateFunction': 'lambda.amazonaws.com',
  'glue:CreateJob': 'glue.amazonaws.com',
  'cloudformation:CreateStack': 'cloudformation.amazonaws.com',
};

/** IAM writes that grant permissions (CHECKS.md). */
export const PERMISSION_WRITES = [
  'iam:AttachRolePolicy',
  'iam:PutRolePolicy',
  'iam:AttachUserPolicy',
  'iam:PutUserPolicy',
  'iam:CreatePolicyVersion',
  'iam:CreateAccessKey',
  'iam:UpdateAssumeRolePolicy',
  'iam:CreateLoginProfile',
  'iam:UpdateLoginProfile',
  'iam:AddUserToGroup',
] as const;

export const check: ClusterCheck = {
  id: 'iam/instance-profile-privilege-escalation',
  title: 'Instance profile role can escalate privileges',
  severity: 'HIGH',
  scope: 'cluster',
  description:
    'The instance profile role can gain permissions it does not have: iam:PassRole on every role with an action that launches compute under the passed role (on any resource scope), an IAM write that grants permissions or sts:AssumeRole on every resource, or an IAM write on the role itself (attach or put a policy, rewrite an attached customer managed policy, change its permissions boundary or trust policy).',
  types: [TYPES.bestPractices],
  remediation: {
    text: 'Remove these grants from the instance profile role or scope them: iam:PassRole only to named role ARNs (with an iam:PassedToService condition), no IAM writes that attach or put policies, create policy versions, access keys or login profiles, or add users to groups, none at all on the role itself or its own policies, and sts:AssumeRole only on named role ARNs. Otherwise any process on a node can obtain more privileges than the role grants.',
    url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html',
  },
  permissions: [...INSTANCE_ROLE_PERMISSIONS],
  settings: [],
  compliance: complianceFor('iam/instance-profile-privilege-escalation'),
  evaluate(cluster, ctx): Outcome[] {
    const found = lookupInstanceRolePolicies(cluster, ctx);
    if (!found.ok) return [errorOutcome('the instance profile role and its policies', found.reason)];
    const { data, policies } = found.value;
    const who = describeInstanceRole(data.profile, data.role);
    const ask = (action: string): Verdict => evaluateAccess(policies, action, 'every', GRANT_FINDING);
    const passRole = ask('iam:PassRole');
    // The caller names the resource it launches: any resource scope lets it launch something with a passed role.
    const launches = LAUNCH_ACTIONS.map((action) => evaluateAccess(policies, action, 'some', GRANT_FINDING));
    // A PassRole pairs with a launch action only when its iam:PassedToService admits that action's service.
    const passFor = (launch: Verdict): Verdict => evaluateAccess(forPassedToService(policies, LAUNCH_PRINCIPALS[launch.action as (typeof LAUNCH_ACTIONS)[number]]), 'iam:PassRole', 'every', GRANT_FINDING);
    const writes = PERMISSION_WRITES.map(ask);
    const assumeRole = ask('sts:AssumeRole');
    const unscopedWrites = new Set(writes.filter((w) => w.allowed).map((w) => w.action));
    // A write already allowed on every resource is reported as such, not again on the role itself.
    const selfModification = selfEscalations(data.role, data.attached, policies).filter((v) => !unscopedWrites.has(v.action));

    const paths: string[] = [];
    const used: Verdict[] = [];
    const launching = launches.filter((v) => v.allowed);
    const paired = passRole.allowed ? launching.filter((v) => passFor(v).allowed) : [];
    if (paired.length > 0) {
      const pass = passFor(paired[0]!);
      paths.push(`${describeScopedGrant(pass, 'on every role')}, together with ${paired.map((v) => describeGrant(v)).join(', ')} (on any resource scope: the caller names what it launches)`);
      used.push(pass, ...paired);
    }
    for (const v of [...writes, assumeRole].filter((w) => w.allowed)) {
      paths.push(describeScopedGrant(v, 'on every resource'));
      used.push(v);
    }
    if (selfModification.length > 0) {
      paths.push(`self-modification: ${selfModification.map((v) => describeGrant(v)).join(', ')}`);
      used.push(...selfModification);
    }
    if (paths.length > 0) {
      return [
        {
          status: 'FAIL',
          message: `${capitalize(who)} can escalate its privileges through: ${paths.join('; ')}.`,
          resources: statementResources(data.role, used.flatMap((v) => [...v.grants, ...v.boundaryGrants])),
        },
      ];
    }
    // Only verdicts that could still complete an escalation path matter for an undecided answer.
    const relevant = [...(launching.length > 0 || launches.some((v) => v.outcome === 'undecided') ? [passRole] : []), ...(passRole.allowed || passRole.outcome === 'undecided' ? launches : []), ...writes, assumeRole];
    const undecided = relevant.find((v) => v.outcome === 'undecided');
    if (undecided) return [errorOutcome(`the policies of ${who}`, `${describeRefusal(undecided)}.`)];
    const partial = !passRole.allowed
      ? ''
      : launching.length > 0
        ? ` iam:PassRole on every role is allowed (${describeScopedGrant(passRole, 'on every role')}), but only to services other than those of ${launching.map((v) => v.action).join(', ')} (iam:PassedToService).`
        : ` iam:PassRole on every role is allowed (${describeScopedGrant(passRole, 'on every role')}), but none of ${LAUNCH_ACTIONS.join(', ')} is.`;
    return [{ status: 'PASS', message: `${capitalize(who)} has no privilege escalation path.${partial}` }];
  },
};
