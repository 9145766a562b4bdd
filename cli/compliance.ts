/**
 * `--compliance NAME`: audit only the checks mapped to a compliance framework. The mapping lives in
 * the check metadata (issue 15 part A), which provides `checksForCompliance(name)`; until that is
 * merged the flag is a usage error saying so. Merging is one line: return its ids here.
 */
import { UsageError } from './args.js';

function checksForCompliance(name: string): readonly string[] {
  throw new UsageError(`--compliance ${name}: compliance mappings are not available in this version of emr-audit yet`);
}

/**
 * The selected check ids narrowed to the framework: all its checks when none was selected, else
 * the selected ones that are mapped to it. An empty result is a usage error: it would audit nothing.
 */
export function restrictToCompliance(checkIds: readonly string[], name: string | undefined): string[] {
  if (name === undefined) return [...checkIds];
  const mapped = checksForCompliance(name);
  const ids = checkIds.length === 0 ? [...mapped] : checkIds.filter((id) => mapped.includes(id));
  if (ids.length === 0) throw new UsageError(`--compliance ${name}: none of the selected checks is mapped to it`);
  return ids;
}
