/** Wording of verdicts for findings: which policy and statement grant, deny or limit an action. */
import type { Verdict } from './evaluate.js';
import { describeStatement, type Statement } from './statements.js';

export function listStatements(statements: readonly Statement[]): string {
  return statements.map(describeStatement).join(', ');
}

/**
 * `s3:GetObject via managed policy X statement #1` (`iam:PutRolePolicy on arn:… via …` for a
 * verdict on one resource; `scope` words it otherwise) — for an allowed verdict, with the boundary
 * statements that let it through and any conditional Deny that may limit it.
 */
export function describeGrant(v: Verdict): string {
  return describeScopedGrant(v, v.scope === 'resource' && v.allowedOn ? `on ${v.allowedOn}` : undefined);
}

/** describeGrant with the scope worded by the caller: `iam:PassRole on every role via …`. */
export function describeScopedGrant(v: Verdict, scope: string | undefined): string {
  const on = scope ? ` ${scope}` : '';
  let text = `${v.action}${on} via ${listStatements(v.grants)}`;
  if (v.conditional) text += ' — only under a condition';
  if (v.boundary && v.boundaryGrants.length > 0) text += `, let through by ${listStatements(v.boundaryGrants)}`;
  if (v.conditionalDenies.length > 0) text += `, unless a conditional Deny applies: ${listStatements(v.conditionalDenies)}`;
  return text;
}

/** Why a verdict is not an allow: `no statement allows it`, `denied by …`, `… the permissions boundary B does not allow it`. */
export function describeRefusal(v: Verdict): string {
  const example = v.example ? ` (e.g. ${v.example})` : v.resourceType ? ` (on every ${v.resourceType})` : '';
  switch (v.outcome) {
    case 'allowed':
      return `${v.action} is allowed`;
    case 'not-granted':
      return v.example ? `${v.action} is not allowed in full${example}` : `no statement allows ${v.action}`;
    case 'denied':
      return `${v.action} is granted by ${listStatements(v.grants)} but denied by ${listStatements(v.deniedBy)}${example}`;
    case 'boundary': {
      const denies = v.deniedBy.length > 0 ? ` (denied by ${listStatements(v.deniedBy)})` : '';
      return `${v.action} is granted by ${listStatements(v.grants)} but the permissions boundary ${v.boundary?.name ?? ''} does not allow it${denies}${example}`;
    }
    case 'undecided':
      return `the policies are too complex to decide whether ${v.action} is allowed`;
  }
}
