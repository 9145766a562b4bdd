/**
 * Writes docs/checks.md, the check catalogue for users, from the check registry, so the document
 * can never drift from what the code runs (a test compares the two):
 *   node --import tsx scripts/gen-checks-doc.ts [--check]
 * With --check it writes nothing and exits 1 when docs/checks.md is out of date.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Check } from '../checks/contract.js';
import { CHECKS } from '../checks/index.js';
import { SETTING_SPECS } from '../lib/settings.js';

export const DOC_PATH = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'docs', 'checks.md');

const AREA_TITLES: Record<string, string> = {
  network: 'network — cluster security groups',
  exposure: 'exposure — public reachability',
  encryption: 'encryption — the security configuration',
  authentication: 'authentication — the security configuration',
  instance: 'instance — the cluster instances',
  iam: 'iam — instance profile and service role',
  ssm: 'ssm — Session Manager reachability',
  logging: 'logging',
  lifecycle: 'lifecycle',
};

/** Markdown anchor of a check (explicit, so links do not depend on a renderer's slug rules). */
export function anchor(id: string): string {
  return id.replace(/[^a-z0-9]+/g, '-');
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ');

export function renderChecksDoc(checks: readonly Check[]): string {
  const out: string[] = [
    '# emr-audit checks',
    '',
    '<!-- Generated from the check registry by scripts/gen-checks-doc.ts: do not edit by hand. -->',
    '',
    `emr-audit runs ${checks.length} checks against every active EMR cluster (STARTING, BOOTSTRAPPING, RUNNING, WAITING) and,`,
    'for the account-level ones, once per audited region. Each returns PASS, FAIL, NOT_APPLICABLE or ERROR (the data it',
    'needs could not be read: never a silent pass). Check ids are stable: use them in `--check`, in',
    '`EMR_AUDIT_DISABLED_CHECKS`, and in the cluster tag `emr-audit:suppress` (a comma-separated list of ids, or `*`).',
    '',
    'List them from the command line with `emr-audit checks` (`--format json` for everything below).',
    '',
    '| Check | Severity | Title |',
    '|---|---|---|',
    ...checks.map((c) => `| [\`${c.id}\`](#${anchor(c.id)}) | ${c.severity} | ${cell(c.title)} |`),
    '',
  ];

  let area = '';
  for (const c of checks) {
    const thisArea = c.id.split('/')[0]!;
    if (thisArea !== area) {
      area = thisArea;
      out.push(`## ${AREA_TITLES[area] ?? area}`, '');
    }
    out.push(`<a id="${anchor(c.id)}"></a>`, '', `### \`${c.id}\``, '');
    out.push(`**${c.title}** — severity **${c.severity}**, ${c.scope === 'region' ? 'evaluated once per region (account level)' : 'evaluated per cluster'}.`, '');
    out.push(c.description, '');
    out.push(`**Remediation.** ${c.remediation.text} ([AWS documentation](${c.remediation.url}))`, '');
    out.push(`**IAM permissions read:** ${c.permissions.map((p) => `\`${p}\``).join(', ')}`, '');
    if (c.settings.length > 0) {
      out.push('**Settings:**', '');
      for (const key of c.settings) {
        const spec = SETTING_SPECS.find((s) => s.key === key);
        out.push(spec ? `- \`${key}\` (\`${spec.env}\`, default ${spec.defaultText}): ${spec.doc}` : `- \`${key}\``);
      }
      out.push('');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

async function run(): Promise<number> {
  const expected = renderChecksDoc(CHECKS);
  if (process.argv.includes('--check')) {
    const current = await readFile(DOC_PATH, 'utf8').catch(() => '');
    if (current === expected) return 0;
    process.stderr.write('docs/checks.md is out of date: run `node --import tsx scripts/gen-checks-doc.ts`\n');
    return 1;
  }
  await writeFile(DOC_PATH, expected, 'utf8');
  process.stdout.write(`Wrote ${DOC_PATH} (${CHECKS.length} checks)\n`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await run();
}
