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
import { CONTROLS, mappingNote, type ComplianceRef, type Framework } from '../lib/compliance.js';

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

/** The Security Hub controls of a mapping, in mapping order (none when the mapping is ours only). */
function controlsOf(refs: readonly ComplianceRef[]): string[] {
  // FSBP entries come first in a mapping; the requirement entries keep the controls' order.
  const requirementSources = refs.filter((r) => r.framework !== 'aws-fsbp').map((r) => r.source);
  return [...new Set([...requirementSources, ...refs.map((r) => r.source)].filter((s) => s !== 'ours'))];
}

/** Requirement ids of one framework without the framework's name: `AC-4`, `4.0.1/1.4.4`. */
function shortIds(refs: readonly ComplianceRef[], framework: Framework): string {
  const prefix: Partial<Record<Framework, RegExp>> = {
    cis: /^CIS AWS Foundations Benchmark v/,
    'pci-dss': /^PCI DSS v/,
    'nist-800-53': /^NIST\.800-53\.r5 /,
    'nist-800-171': /^NIST\.800-171\.r2 /,
  };
  const strip = prefix[framework];
  const ids = refs.filter((r) => r.framework === framework).map((r) => (strip ? r.id.replace(strip, '') : r.id));
  return ids.length > 0 ? ids.join(', ') : '—';
}

/**
 * The mapping table, check → Security Hub control(s) → requirements, one column per framework.
 * docs/scan.md carries the same table (a test keeps them equal).
 */
export function renderComplianceTable(checks: readonly Check[]): string {
  const rows = checks.map((c) => {
    const refs = c.compliance ?? [];
    const controls = controlsOf(refs);
    const controlCell = controls.length > 0 ? controls.map((id) => (CONTROLS[id]?.fsbp ? `${id} (FSBP)` : id)).join(', ') : 'ours';
    return `| \`${c.id}\` | ${controlCell} | ${shortIds(refs, 'cis')} | ${shortIds(refs, 'pci-dss')} | ${shortIds(refs, 'nist-800-53')} | ${shortIds(refs, 'nist-800-171')} |`;
  });
  return [
    '| Check | Security Hub control(s) | CIS AWS Foundations | PCI DSS | NIST SP 800-53 r5 | NIST SP 800-171 r2 |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function complianceLines(c: Check): string[] {
  const refs = c.compliance ?? [];
  if (refs.length === 0) return [];
  const controls = controlsOf(refs);
  const source =
    controls.length > 0
      ? `closest Security Hub CSPM control(s): ${controls.map((id) => `${id} (${CONTROLS[id]?.title ?? id}${CONTROLS[id]?.fsbp ? ', in FSBP' : ''})`).join('; ')}, with their published related requirements`
      : 'no close Security Hub control: our own mapping to NIST SP 800-53 r5';
  const requirements = refs.filter((r) => r.framework !== 'aws-fsbp').map((r) => `\`${r.id}\``);
  const note = mappingNote(c.id);
  return [`**Compliance** (${source}): ${requirements.join(', ')}.${note ? ` ${note}` : ''}`, ''];
}

/** How a check judges "every resource" (CHECKS.md, "Terms used below"), for the checks whose FAIL depends on it. */
const everyResource = (lead: string): string =>
  `**Every resource.** ${lead}\`*\`, \`arn:aws:s3:::*/*\`, \`arn:aws:kms:*:*:key/*\` or \`arn:aws:iam::*:role/*\` is every resource (a fixed region or account does not narrow it); ` +
  'any literal character in the name part scopes it, so `arn:aws:s3:::acme-*/*`, `arn:aws:s3:::*-datalake/*` or `role/*-emr-jobs` is not, and PASSes ' +
  '(the message may still say the grant is broad). Allows under conditions an instance can never meet (`aws:ViaAWSService`, `aws:CalledVia`…) do not count. ' +
  'The rule with more examples: [iam.md](iam.md#on-every-resource-which-patterns-count).';

const SCOPING_NOTES: Record<string, string> = {
  'iam/instance-profile-wildcard-data-access': everyResource(''),
  'iam/instance-profile-privilege-escalation': everyResource('The PassRole half asks for every role (the launch half counts on any resource scope): '),
};

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

  out.push(
    '## Compliance mapping',
    '',
    'Each check is mapped to the closest AWS Security Hub CSPM control(s) and the requirements that the Security Hub',
    'controls reference publishes for them (FSBP: the control is part of AWS Foundational Security Best Practices).',
    'Checks that no control covers are mapped to the NIST SP 800-53 r5 controls a reviewer would cite, marked *ours*.',
    'The mapping travels with every finding (ASFF `Compliance.RelatedRequirements` and `AssociatedStandards`, and the',
    'other output formats). Data: `lib/compliance.ts`.',
    '',
    renderComplianceTable(checks),
    '',
  );

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
    if (SCOPING_NOTES[c.id]) out.push(SCOPING_NOTES[c.id]!, '');
    out.push(`**Remediation.** ${c.remediation.text} ([AWS documentation](${c.remediation.url}))`, '');
    out.push(`**IAM permissions read:** ${c.permissions.map((p) => `\`${p}\``).join(', ')}`, '');
    out.push(...complianceLines(c));
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
