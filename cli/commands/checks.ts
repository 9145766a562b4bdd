/** `emr-audit checks`: the catalogue of checks, for people (table) or tools (json). */
import type { Check } from '../../checks/contract.js';
import { CHECKS } from '../../checks/index.js';
import { makeStyler, padEnd, SEVERITY_STYLE, wantsColor } from '../../lib/report/render-style.js';
import { SETTING_SPECS } from '../../lib/settings.js';
import { parseFlags, UsageError, type FlagSpecs } from '../args.js';
import { CHECKS_HELP } from '../help.js';
import type { CliIo } from '../io.js';

export const FLAGS: FlagSpecs = {
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

export function checksCommand(argv: readonly string[], io: CliIo): number {
  const flags = parseFlags(argv, FLAGS, 'checks');
  if (flags.has('help')) {
    io.stdout.write(CHECKS_HELP);
    return 0;
  }
  if (flags.positionals.length > 0) throw new UsageError(`checks takes no arguments (got "${flags.positionals[0]}"); run \`emr-audit checks --help\``);
  // A listing is read and grepped far more than parsed: table unless json is asked for.
  const format = (flags.string('format') ?? 'table').toLowerCase();
  if (format === 'json') io.stdout.write(`${JSON.stringify({ checks: CHECKS.map(checkJson) }, null, 2)}\n`);
  else if (format === 'table') io.stdout.write(checksTable(CHECKS, wantsColor(io.env, io.stdoutIsTTY)));
  else throw new UsageError(`--format ${flags.string('format')}: expected table or json`);
  return 0;
}

export function checkJson(check: Check): Record<string, unknown> {
  return {
    id: check.id,
    severity: check.severity,
    scope: check.scope,
    title: check.title,
    description: check.description,
    remediation: { text: check.remediation.text, url: check.remediation.url },
    permissions: check.permissions,
    settings: check.settings.map((key) => ({ key, env: SETTING_SPECS.find((s) => s.key === key)?.env ?? null })),
  };
}

function checksTable(checks: readonly Check[], color: boolean): string {
  const style = makeStyler(color);
  const idWidth = Math.max(...checks.map((c) => c.id.length)) + 2;
  const lines = [style('bold', `${padEnd('ID', idWidth)}${padEnd('SEVERITY', 10)}TITLE`)];
  for (const c of checks) {
    lines.push(`${padEnd(c.id, idWidth)}${style(SEVERITY_STYLE[c.severity], padEnd(c.severity, 10))}${c.title}`);
  }
  lines.push('', style('dim', `${checks.length} checks · details, remediation and permissions: emr-audit checks --format json (or docs/checks.md)`));
  return `${lines.join('\n')}\n`;
}
