/**
 * The self-escalation actions of CHECKS.md: IAM writes that, allowed on the role itself, let the
 * role grant itself every permission — attach or put a policy on itself, rewrite a customer
 * managed policy attached to it, replace or drop its permissions boundary, or rewrite its trust
 * policy.
 */
import type { ManagedPolicy } from '../snapshot.js';
import { evaluateOnResource, GRANT_FINDING, type RolePolicies, type Verdict } from './evaluate.js';

export const SELF_ESCALATION_ACTIONS = [
  'iam:AttachRolePolicy',
  'iam:PutRolePolicy',
  'iam:CreatePolicyVersion',
  'iam:SetDefaultPolicyVersion',
  'iam:PutRolePermissionsBoundary',
  'iam:DeleteRolePermissionsBoundary',
  'iam:UpdateAssumeRolePolicy',
] as const;

/** The actions that change a managed policy: they count on a customer managed policy attached to the role as well. */
const POLICY_VERSION_ACTIONS: ReadonlySet<string> = new Set(['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion']);

/** A customer managed policy (not `arn:<partition>:iam::aws:policy/…`): the account can write new versions of it. */
export function isCustomerManaged(arn: string): boolean {
  return !/^arn:[^:]+:iam::aws:policy\//.test(arn);
}

/**
 * The self-escalation actions the role holds on itself: each one effectively allowed on the role's
 * own ARN (a pattern or `*` covering it counts) or, for the policy-version actions, whose resource
 * is a policy, on a customer managed policy attached to the role (AWS managed policies cannot be
 * rewritten). Conditional Denies do not remove them (they may not apply).
 */
export function selfEscalations(role: { arn: string }, attached: readonly Pick<ManagedPolicy, 'arn'>[], policies: RolePolicies): Verdict[] {
  const found: Verdict[] = [];
  for (const action of SELF_ESCALATION_ACTIONS) {
    // A policy version is written on a policy, not on a role: those two are judged on the role's own customer managed policies.
    const targets = POLICY_VERSION_ACTIONS.has(action) ? attached.map((p) => p.arn).filter(isCustomerManaged) : [role.arn];
    const allowed = targets.map((arn) => evaluateOnResource(policies, action, arn, GRANT_FINDING)).find((v) => v.allowed);
    if (allowed) found.push(allowed);
  }
  return found;
}
