/**
 * Deploy-time validation of the `EMR_AUDIT_*` settings (issue 14, defect 6): reads the function's
 * environment as JSON on stdin and validates it with the same code the Lambda runs at start
 * (lib/settings.ts, with the check registry), so a bad `--param` fails `osls package`/`deploy`
 * with the variable named instead of sending every scheduled run to the DLQ.
 *
 *   echo '{"EMR_AUDIT_SSM_GRACE_MINUTES":"abc"}' | node --import tsx scripts/validate-settings.ts
 *
 * Exit 0 when valid; 1 with one line on stderr naming the variable otherwise.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { CHECK_IDS } from '../checks/index.js';
import { loadSettings, SettingsError } from '../lib/settings.js';

const Environment = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));

export function validateDeploymentSettings(env: Record<string, string>, now: Date): string | undefined {
  try {
    loadSettings(env, {}, { knownCheckIds: CHECK_IDS, now });
    return undefined;
  } catch (e) {
    if (e instanceof SettingsError) return e.message;
    throw e;
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const parsed = Environment.safeParse(JSON.parse(readFileSync(0, 'utf8')));
  if (!parsed.success) {
    process.stderr.write('the function environment is not a map of strings\n');
    process.exit(1);
  }
  const problem = validateDeploymentSettings(parsed.data, new Date());
  if (problem) {
    process.stderr.write(`${problem}\n`);
    process.exit(1);
  }
}
