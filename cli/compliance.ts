/**
 * `--compliance NAME`: audit only the checks mapped to a compliance framework (the mapping is in
 * each check's metadata, lib/compliance.ts).
 */
import { CHECKS } from '../checks/index.js';
import { checksForCompliance } from '../lib/compliance.js';
import { UsageError } from './args.js';

function mappedCheckIds(name: string): readonly string[] {
  try {
    return checksForCompliance(name, CHECKS).map((c) => c.id);
  } catch (e) {
    throw new UsageError(`--compliance ${name}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * The selected check ids narrowed to the framework: all its checks when none was selected, else
 * the selected ones that are mapped to it. An empty result is a usage error: it would audit nothing.
 */
export function restrictToCompliance(checkIds: readonly string[], name: string | undefined): string[] {
  if (name === undefined) return [...checkIds];
  const mapped = mappedCheckIds(name);
  const ids = checkIds.length === 0 ? [...mapped] : checkIds.filter((id) => mapped.includes(id));
  if (ids.length === 0) throw new UsageError(`--compliance ${name}: none of the selected checks is mapped to it`);
  return ids;
}
