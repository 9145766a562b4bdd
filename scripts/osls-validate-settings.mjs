/**
 * osls plugin: before packaging (so before every deploy too), validate the function's EMR_AUDIT_*
 * environment — the resolved `--param` values — with lib/settings.ts, the schema the Lambda uses
 * at start (scripts/validate-settings.ts, run with tsx). A bad value fails the package or deploy
 * with the variable named, instead of every scheduled run failing into the DLQ hours later.
 */
import { execFileSync } from 'node:child_process';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VALIDATOR = fileURLToPath(new URL('./validate-settings.ts', import.meta.url));

export default class ValidateSettingsPlugin {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:initialize': () => this.validate() };
  }

  validate() {
    const environment = this.serverless.service.provider.environment || {};
    const settings = {};
    for (const [name, value] of Object.entries(environment)) {
      if (!name.startsWith('EMR_AUDIT_') || value === null || value === undefined || typeof value === 'object') continue;
      // The StackSet build (scripts/stackset.ts) packages every param as its stand-in `zz<NAME>zz`,
      // replaced by a parameter whose AllowedPattern and the Lambda's own start check the value.
      if (String(value) === `zz${name}zz`) continue;
      settings[name] = String(value);
    }
    try {
      execFileSync(process.execPath, ['--import', 'tsx', VALIDATOR], { cwd: ROOT, input: JSON.stringify(settings), encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (error) {
      const reason = typeof error.stderr === 'string' && error.stderr.trim() !== '' ? error.stderr.trim().split('\n')[0] : error.message;
      throw new this.serverless.classes.Error(`Invalid deployment parameter: ${reason} (see docs/settings.md)`);
    }
  }
}
