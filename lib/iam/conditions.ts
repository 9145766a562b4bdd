/**
 * What a statement's Condition tells without knowing the request: whether a request signed with
 * the instance profile's own credentials can ever meet it, and to which services a PassRole may
 * hand the role (`iam:PassedToService`).
 *
 * Conditions an instance can never meet (CHECKS.md). In a request the instance signs itself:
 * - `aws:ViaAWSService` and `aws:PrincipalIsAWSService` are present and `false` (AWS adds both to
 *   every signed request), so a test that needs them true fails even in its `…IfExists` form;
 * - `aws:CalledVia`, `aws:CalledViaFirst`, `aws:CalledViaLast`, `aws:PrincipalServiceName`,
 *   `aws:PrincipalServiceNamesList` and `aws:IsMcpServiceAction` are absent (only a service acting
 *   for the caller, or an MCP server, sets them). A positive test of an absent key fails
 *   (`StringEquals`, `StringLike`, `Bool`, `ForAnyValue:…`, `Null: false`); a negated test
 *   (`StringNotEquals`…), `ForAllValues:…` (vacuously true), `…IfExists` and `Null: true` are met.
 * Every other key may hold anything, so its test may be met. A Condition is met only when all its
 * tests are: one test that is never met makes the whole statement one that never applies to the
 * instance's own requests.
 */
import { globMatch } from './glob.js';

/** Values in a request the instance signs itself: a string, or undefined when the key is absent. */
const INSTANCE_CONTEXT: ReadonlyMap<string, string | undefined> = new Map([
  ['aws:viaawsservice', 'false'],
  ['aws:principalisawsservice', 'false'],
  ['aws:ismcpserviceaction', undefined],
  ['aws:calledvia', undefined],
  ['aws:calledviafirst', undefined],
  ['aws:calledvialast', undefined],
  ['aws:principalservicename', undefined],
  ['aws:principalservicenameslist', undefined],
]);

interface Operator {
  set?: 'forallvalues' | 'foranyvalue';
  base: string;
  ifExists: boolean;
}

function parseOperator(name: string): Operator {
  const m = /^(?:(forallvalues|foranyvalue):)?(.*?)(ifexists)?$/i.exec(name)!;
  const set = m[1]?.toLowerCase() as Operator['set'];
  return { ...(set ? { set } : {}), base: (m[2] ?? '').toLowerCase(), ifExists: m[3] !== undefined };
}

const asStrings = (value: unknown): string[] => (Array.isArray(value) ? value : [value]).map((v) => String(v));

/** Does the test hold for a value of the key (undefined: absent)? undefined when it cannot tell. */
function holds(op: Operator, value: string | undefined, wanted: readonly string[]): boolean | undefined {
  if (op.base === 'null') return wanted.some((w) => w.toLowerCase() === (value === undefined ? 'true' : 'false'));
  const negated = op.base.includes('not');
  if (value === undefined) return op.ifExists || op.set === 'forallvalues' || negated;
  let match: (w: string) => boolean;
  switch (op.base.replace('not', '')) {
    case 'stringequals':
    case 'arnequals':
      match = (w) => w === value;
      break;
    case 'stringequalsignorecase':
    case 'bool':
      match = (w) => w.toLowerCase() === value.toLowerCase();
      break;
    case 'stringlike':
    case 'arnlike':
      match = (w) => globMatch(w, value);
      break;
    default:
      return undefined;
  }
  const any = wanted.some(match);
  return negated ? !any : any;
}

/** Which services a PassRole statement may pass the role to (`iam:PassedToService`). */
export interface ServiceFilter {
  values: readonly string[];
  like: boolean;
  negated: boolean;
}

export function admitsService(filter: ServiceFilter, principal: string): boolean {
  const p = principal.toLowerCase();
  const any = filter.values.some((v) => (filter.like ? globMatch(v.toLowerCase(), p) : v.toLowerCase() === p));
  return any !== filter.negated;
}

export interface ConditionFacts {
  /** The test no request of the instance's own can meet, as written (`Bool aws:ViaAWSService true`). */
  neverMet?: string;
  passedToService?: ServiceFilter;
}

export function readCondition(condition: Readonly<Record<string, unknown>> | undefined): ConditionFacts {
  const facts: ConditionFacts = {};
  if (!condition) return facts;
  for (const [operator, tests] of Object.entries(condition)) {
    if (typeof tests !== 'object' || tests === null) continue;
    const op = parseOperator(operator);
    for (const [key, raw] of Object.entries(tests as Record<string, unknown>)) {
      const k = key.toLowerCase();
      const wanted = asStrings(raw);
      if (INSTANCE_CONTEXT.has(k) && holds(op, INSTANCE_CONTEXT.get(k), wanted) === false && facts.neverMet === undefined) {
        facts.neverMet = `${operator} ${key} ${wanted.join(', ')}`;
      }
      if (k === 'iam:passedtoservice') {
        const base = op.base.replace('not', '');
        if (base === 'stringequals' || base === 'stringequalsignorecase' || base === 'stringlike') {
          facts.passedToService = { values: wanted, like: base === 'stringlike', negated: op.base.includes('not') };
        }
      }
    }
  }
  return facts;
}
