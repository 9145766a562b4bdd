/**
 * Policy statements, validated and normalised: IAM lets `Statement`, `Action`, `Resource` (and
 * their `Not` forms) be a single value or a list; here each becomes a list, action patterns are
 * lowercased (IAM compares action names case-insensitively) and resource patterns are kept as
 * written (ARNs compare case-sensitively). Each statement remembers where it came from, so a
 * finding can name the policy and the statement.
 */
import * as z from 'zod';
import type { PolicyDocument } from '../snapshot.js';
import { readCondition, type ServiceFilter } from './conditions.js';

export type PolicySource =
  | { kind: 'managed'; name: string; arn: string }
  | { kind: 'inline'; roleName: string; policyName: string }
  | { kind: 'boundary'; name: string; arn: string };

/** A list of patterns, or with `not` everything except them (`NotAction`, `NotResource`). */
export interface PatternSpec {
  not: boolean;
  patterns: readonly string[];
}

export interface Statement {
  source: PolicySource;
  /** 1-based position in the policy's statement list (`#1` is the first). */
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** Lowercased `Action` / `NotAction` patterns. */
  actions: PatternSpec;
  /** The `Action` / `NotAction` patterns as the policy writes them, for messages. */
  actionsAsWritten?: readonly string[];
  resources: PatternSpec;
  /** The statement has a `Condition`: it applies only when the condition holds. */
  conditional: boolean;
  /** Its Condition limits a PassRole to these services (`iam:PassedToService`). */
  passedToService?: ServiceFilter;
  /**
   * Only on statements the evaluator derives for a wildcard question: the statement takes part
   * for these actions only (those whose every resource its Resource covers).
   */
  restrict?: { only: readonly string[]; except: readonly string[] };
}

const OneOrMany = z.union([z.string(), z.array(z.string())]).transform((v) => (typeof v === 'string' ? [v] : v));

const RawStatement = z
  .object({
    Sid: z.string().optional(),
    Effect: z.enum(['Allow', 'Deny']),
    Action: OneOrMany.optional(),
    NotAction: OneOrMany.optional(),
    Resource: OneOrMany.optional(),
    NotResource: OneOrMany.optional(),
    Condition: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((s) => (s.Action === undefined) !== (s.NotAction === undefined), { message: 'needs exactly one of Action and NotAction' })
  .refine((s) => (s.Resource === undefined) !== (s.NotResource === undefined), { message: 'needs exactly one of Resource and NotResource' });

export interface ParsedPolicy {
  statements: Statement[];
  /**
   * Statements whose Condition no request signed with the instance profile's own credentials can
   * meet (conditions.ts): they never apply to the role's own requests, so they take part in no
   * question, Allow or Deny. Kept to be mentioned.
   */
  neverMet: { statement: Statement; test: string }[];
  /** Statements that could not be read, each named: the policy cannot be evaluated safely. */
  problems: string[];
}

export function parsePolicy(source: PolicySource, document: PolicyDocument): ParsedPolicy {
  const raw = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  const statements: Statement[] = [];
  const neverMet: ParsedPolicy['neverMet'] = [];
  const problems: string[] = [];
  raw.forEach((record, i) => {
    const index = i + 1;
    const parsed = RawStatement.safeParse(record);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      problems.push(`${describeSource(source)} statement #${index} is not a valid statement (${where}${issue?.message ?? 'invalid'})`);
      return;
    }
    const s = parsed.data;
    const actionList = s.Action ?? s.NotAction ?? [];
    const resourceList = s.Resource ?? s.NotResource ?? [];
    const facts = readCondition(s.Condition);
    const statement: Statement = {
      source,
      index,
      ...(s.Sid ? { sid: s.Sid } : {}),
      effect: s.Effect,
      actions: { not: s.Action === undefined, patterns: actionList.map((a) => a.toLowerCase()) },
      actionsAsWritten: actionList,
      resources: { not: s.Resource === undefined, patterns: resourceList },
      conditional: s.Condition !== undefined && Object.keys(s.Condition).length > 0,
      ...(facts.passedToService ? { passedToService: facts.passedToService } : {}),
    };
    if (facts.neverMet !== undefined) neverMet.push({ statement, test: facts.neverMet });
    else statements.push(statement);
  });
  return { statements, neverMet, problems };
}

export function describeSource(source: PolicySource): string {
  switch (source.kind) {
    case 'managed':
      return `managed policy ${source.name}`;
    case 'inline':
      return `inline policy ${source.roleName}/${source.policyName}`;
    case 'boundary':
      return `permissions boundary ${source.name}`;
  }
}

/** `managed policy X statement "Sid"` (or `statement #2` without a Sid), `(conditional)` when it has a Condition. */
export function describeStatement(s: Statement): string {
  const which = s.sid ? `statement "${s.sid}"` : `statement #${s.index}`;
  return `${describeSource(s.source)} ${which}${s.conditional ? ' (conditional)' : ''}`;
}

/** The actions a statement names, as written: `iam:CreateUser, iam:CreateAccessKey`, or `every action except s3:*` for NotAction. */
export function describeActions(s: Statement): string {
  const list = (s.actionsAsWritten ?? s.actions.patterns).join(', ');
  return s.actions.not ? `every action except ${list}` : list;
}
