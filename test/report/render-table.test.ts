import { describe, expect, it } from 'vitest';
import type { CheckMeta, Result } from '../../checks/contract.js';
import { makeStyler, wantsColor, wrap } from '../../lib/report/render-style.js';
import { buildSummary } from '../../lib/report/render-summary.js';
import { renderTable, summaryLine } from '../../lib/report/table.js';
import { ACCOUNT, makeCluster, makeSnapshot } from '../helpers/fixtures.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/;

function meta(id: string, severity: CheckMeta['severity'], scope: CheckMeta['scope'] = 'cluster', remediation = `Fix ${id} now. Then verify.`): CheckMeta {
  return { id, title: `Title of ${id}`, severity, scope, description: 'd', types: [], remediation: { text: remediation, url: `https://docs.aws.amazon.com/${id}` }, permissions: ['x:Y'], settings: [] };
}

const CHECKS = [
  meta('network/open', 'CRITICAL'),
  meta('exposure/bpa', 'HIGH', 'region', 'Turn on block public access (console, e.g. Block public access). Keep port 22 only.'),
  meta('logging/logs', 'LOW', 'cluster', 'Set a LogUri, e.g. s3://acme-logs/ in the template. then relaunch.'),
  meta('iam/admin', 'HIGH'),
];

function result(r: Partial<Result> & Pick<Result, 'checkId' | 'status'>): Result {
  const check = CHECKS.find((c) => c.id === r.checkId)!;
  return {
    severity: check.severity,
    region: 'us-east-1',
    accountId: ACCOUNT,
    clusterId: 'j-AAA',
    clusterName: 'alpha',
    title: check.title,
    message: `${r.checkId} says ${r.status}`,
    resources: [],
    resourceDetails: [],
    resourceId: r.clusterId ?? 'j-AAA',
    ...r,
  };
}

const snapshot = makeSnapshot([
  { region: 'us-east-1', clusters: [makeCluster({ id: 'j-BBB', name: 'beta', releaseLabel: 'emr-6.15.0' }), makeCluster({ id: 'j-AAA', name: 'alpha' })] },
  { region: 'eu-west-1', clusters: [] },
]);

const results: Result[] = [
  result({ checkId: 'exposure/bpa', status: 'FAIL', clusterId: null, clusterName: null, resourceId: 'us-east-1', message: 'Block public access is off.' }),
  result({ checkId: 'logging/logs', status: 'FAIL', message: 'alpha has no LogUri.' }),
  result({ checkId: 'network/open', status: 'FAIL', message: 'sg-1 allows all traffic from 0.0.0.0/0.', resources: ['sg-1'] }),
  result({ checkId: 'iam/admin', status: 'PASS', message: 'No admin.' }),
  result({ checkId: 'network/open', status: 'PASS', clusterId: 'j-BBB', clusterName: 'beta', message: 'Closed.' }),
  result({ checkId: 'logging/logs', status: 'NOT_APPLICABLE', clusterId: 'j-BBB', clusterName: 'beta', message: 'n/a' }),
  result({ checkId: 'iam/admin', status: 'ERROR', clusterId: 'j-BBB', clusterName: 'beta', message: 'Could not evaluate: role r: iam:GetRole AccessDenied' }),
  result({ checkId: 'logging/logs', status: 'SUPPRESSED', clusterId: 'j-BBB', clusterName: 'beta', originalStatus: 'FAIL', suppressedBy: 'cluster tag emr-audit:suppress', message: 'beta has no LogUri.' }),
];

const render = (extra: Partial<Parameters<typeof renderTable>[0]> = {}): string => renderTable({ results, snapshot, checks: CHECKS, color: false, width: 100, source: 'demo account', ...extra });

describe('renderTable', () => {
  it('starts with what was audited and ends with the summary line', () => {
    const lines = render({ width: 160 }).trimEnd().split('\n');
    expect(lines[0]).toBe(`emr-audit · account ${ACCOUNT} · us-east-1, eu-west-1 · data collected 2026-11-23 12:00 UTC · demo account`);
    expect(lines.at(-1)).toBe('2 clusters in 2 regions · 3 FAIL (1 CRITICAL, 1 HIGH, 1 LOW) · 1 ERROR · 2 PASS · 1 NOT_APPLICABLE · 1 SUPPRESSED');
  });

  it('breaks the header between its parts when it does not fit', () => {
    const lines = render({ width: 80 }).split('\n');
    expect(lines.slice(0, 2)).toEqual([`emr-audit · account ${ACCOUNT} · us-east-1, eu-west-1`, '  data collected 2026-11-23 12:00 UTC · demo account']);
  });

  it('groups by region, account settings first, then clusters by name, worst first within a cluster', () => {
    // The body (after "Fix first", which lists CRITICAL FAILs before everything else).
    const full = render();
    const out = full.slice(full.indexOf('us-east-1 ──'));
    const order = ['us-east-1 ──', '  Account settings', 'Block public access is off.', '  alpha  j-AAA · emr-7.5.0 · WAITING', 'network/open', 'logging/logs', '  beta  j-BBB', 'eu-west-1 ──', 'No active EMR clusters in this region.', 'Suppressed (1)'];
    const positions = order.map((text) => out.indexOf(text));
    expect(positions.every((p) => p >= 0), JSON.stringify(positions)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('lists a FAIL with its severity, check, message and resources; counts passes', () => {
    const out = render();
    expect(out).toContain(['    CRITICAL  network/open', '              sg-1 allows all traffic from 0.0.0.0/0.', '              resources: sg-1', '    LOW       logging/logs'].join('\n'));
    expect(out).toContain('    1 passed\n');
    expect(out).not.toContain('No admin.');
  });

  it('lists an ERROR with its cause, and explains what ERROR means', () => {
    const out = render();
    expect(out).toContain('    ERROR     iam/admin\n              Could not evaluate: role r: iam:GetRole AccessDenied');
    expect(out).toContain('1 result could not be evaluated (ERROR)');
    expect(out).toContain('`emr-audit permissions`');
  });

  it('does not call a cluster whose problems are all suppressed clean', () => {
    const onlySuppressed = results.filter((r) => r.clusterId !== 'j-BBB' || r.status === 'PASS' || r.status === 'SUPPRESSED');
    expect(render({ results: onlySuppressed })).toContain('  beta  j-BBB · emr-6.15.0 · WAITING\n    ✓ no open problems · 1 passed · 1 suppressed (listed below)');
  });

  it('says a cluster has no problems when nothing failed', () => {
    const clean = results.filter((r) => r.clusterId !== 'j-BBB' || r.status === 'PASS');
    expect(render({ results: clean })).toContain('  beta  j-BBB · emr-6.15.0 · WAITING\n    ✓ no problems found · 1 passed');
  });

  it('counts only what is there: no "0 passed" next to not-applicable results', () => {
    const out = render({ results: [result({ checkId: 'network/open', status: 'FAIL' }), result({ checkId: 'logging/logs', status: 'NOT_APPLICABLE' })] });
    expect(out).toContain('    1 not applicable\n');
    expect(out).not.toContain('0 passed');
  });

  it('says the same ERROR of several checks once', () => {
    const same = 'Could not evaluate: instance profile unavailable';
    const out = render({
      results: [
        result({ checkId: 'iam/admin', status: 'ERROR', message: same }),
        result({ checkId: 'network/open', status: 'ERROR', message: same }),
      ],
    });
    expect(out).toContain(`    ERROR     2 checks: network/open, iam/admin\n              ${same}`);
    expect(out.split(same)).toHaveLength(2);
    const many = ['a/1', 'a/2', 'a/3', 'a/4', 'a/5', 'a/6', 'a/7'].map((checkId) => ({ ...result({ checkId: 'iam/admin', status: 'ERROR', message: same }), checkId }));
    expect(render({ results: many })).toContain(`    ERROR     7 checks\n              ${same}`);
  });

  it('lists suppressed results apart with the reason and the original status, not among the problems', () => {
    const out = render();
    expect(out).toContain('  beta  j-BBB · emr-6.15.0 · WAITING\n    ERROR     iam/admin');
    expect(out).toContain('    1 passed · 1 not applicable · 1 suppressed (listed below)\n');
    const suppressed = out.slice(out.indexOf('Suppressed (1)'));
    expect(suppressed).toContain('  beta (j-BBB)  us-east-1 · by cluster tag emr-audit:suppress');
    expect(suppressed).toContain('    LOW       logging/logs (was FAIL)\n              beta has no LogUri.');
    expect(out.indexOf('beta has no LogUri.')).toBe(out.lastIndexOf('beta has no LogUri.'));
  });

  it('tells how to fix each failing check, most severe first, with its first sentence and link', () => {
    const out = render();
    const fix = out.slice(out.indexOf('How to fix'));
    expect(fix).toContain('    CRITICAL  network/open · 1 cluster\n              Fix network/open now.\n              https://docs.aws.amazon.com/network/open');
    // A sentence ends outside parentheses and before a capital: "e.g." does not end it.
    expect(fix).toContain('    HIGH      exposure/bpa · 1 region\n              Turn on block public access (console, e.g. Block public access).\n');
    expect(fix).toContain('    LOW       logging/logs · 1 cluster\n              Set a LogUri, e.g. s3://acme-logs/ in the template.\n');
    expect(fix.indexOf('network/open')).toBeLessThan(fix.indexOf('exposure/bpa'));
    expect(fix.indexOf('exposure/bpa')).toBeLessThan(fix.indexOf('logging/logs'));
    expect(fix).not.toContain('iam/admin');
  });

  it('starts every remediation URL in the detail column, a long one too (never broken, never shifted)', () => {
    const long = (id: string, length: number): CheckMeta => ({ ...meta(id, 'HIGH'), remediation: { text: 'Fix it.', url: `https://docs.aws.amazon.com/${'x'.repeat(length)}` } });
    const checks = [long('network/open', 30), long('exposure/bpa', 66), long('logging/logs', 90), meta('iam/admin', 'HIGH')];
    const out = renderTable({ results, snapshot, checks, color: false, width: 80, source: 'demo account' });
    const urls = out.slice(out.indexOf('How to fix')).split('\n').filter((l) => l.includes('https://'));
    expect(urls).toHaveLength(3);
    for (const line of urls) expect(line.indexOf('https://'), line).toBe(14);
  });

  it('lists PASS and NOT_APPLICABLE results with verbose', () => {
    const out = render({ verbose: true });
    expect(out).toContain('    PASS      iam/admin\n              No admin.');
    expect(out).toContain('    N/A       logging/logs\n              n/a');
  });

  it('says so when a region could not be audited at all', () => {
    const failed = makeSnapshot([{ region: 'us-east-1', errors: [{ kind: 'region', resourceId: 'us-east-1', api: 'elasticmapreduce:ListClusters', code: 'AccessDeniedException', message: 'denied' }] }]);
    const out = renderTable({
      results: [result({ checkId: 'network/open', status: 'ERROR', clusterId: null, clusterName: null, message: 'The region could not be audited: elasticmapreduce:ListClusters AccessDeniedException (denied)' })],
      snapshot: failed,
      checks: CHECKS,
      color: false,
    });
    expect(out).toContain('  Region (could not be audited)\n    ERROR     network/open\n              The region could not be audited');
    expect(out).not.toContain('No active EMR clusters');
  });

  it('shows collection errors under their region', () => {
    const withError = makeSnapshot([{ region: 'us-east-1', clusters: [makeCluster({ id: 'j-AAA', name: 'alpha' })], errors: [{ kind: 'role', resourceId: 'r', api: 'iam:GetRole', code: 'AccessDenied', message: 'no' }] }]);
    const out = renderTable({ results: [result({ checkId: 'iam/admin', status: 'ERROR' })], snapshot: withError, checks: CHECKS, color: false });
    expect(out).toContain('  Collection errors (the ERROR results above come from these)\n    us-east-1 role r: iam:GetRole AccessDenied (no)');
  });

  it('wraps long messages under the check, keeping long words whole', () => {
    const arn = `arn:aws:iam::${ACCOUNT}:role/${'x'.repeat(90)}`;
    const out = render({ results: [result({ checkId: 'network/open', status: 'FAIL', message: `${'word '.repeat(40)}${arn} end` })], width: 80 });
    const lines = out.split('\n').filter((l) => !l.startsWith('  ! ') && (l.includes('word') || l.includes(arn)));
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines.filter((x) => !x.includes(arn))) expect(l.length).toBeLessThanOrEqual(80);
    expect(lines.some((l) => l.trim() === arn || l.trim() === `${arn} end`)).toBe(true);
    for (const l of lines.filter((x) => !x.includes(arn))) expect(l.startsWith('              ')).toBe(true);
    // Too long for the detail column, the ARN starts further left rather than being cut.
    expect(lines.find((l) => l.includes(arn))!.trimStart().startsWith(arn)).toBe(true);
  });

  it('uses no ANSI codes without colour, and colours severities, statuses and the summary with it', () => {
    expect(render()).not.toMatch(ANSI);
    const coloured = render({ color: true });
    expect(coloured).toContain('\u001b[31m\u001b[1mCRITICAL');
    expect(coloured).toContain('\u001b[35mERROR');
    expect(coloured.replace(new RegExp(ANSI.source, 'g'), '')).toBe(render());
  });

  it('names the publication result when Security Hub was synchronised', () => {
    expect(render({ published: { imported: 3, archived: 1, failed: 0, errors: [] } })).toContain('Security Hub: 3 findings imported · 1 archived · 0 failed');
  });
});

describe('summaryLine', () => {
  it('leaves out empty severities and statuses, and uses singulars', () => {
    const one = makeSnapshot([{ clusters: [makeCluster()] }]);
    expect(summaryLine(buildSummary([result({ checkId: 'iam/admin', status: 'PASS' })], one))).toBe('1 cluster in 1 region · 0 FAIL · 0 ERROR · 1 PASS');
  });
});

describe('colour decision', () => {
  it.each([
    [{}, true, true],
    [{}, false, false],
    [{ NO_COLOR: '1' }, true, false],
    [{ NO_COLOR: '' }, true, true],
    [{ FORCE_COLOR: '1' }, false, true],
    [{ FORCE_COLOR: '0' }, true, false],
    [{ FORCE_COLOR: '1', NO_COLOR: '1' }, false, true],
    [{ TERM: 'dumb' }, true, false],
  ])('env %j, tty %s → %s', (env, tty, expected) => {
    expect(wantsColor(env, tty)).toBe(expected);
  });

  it('styles nothing when disabled', () => {
    expect(makeStyler(false)(['bold', 'red'], 'x')).toBe('x');
    expect(makeStyler(true)(['bold', 'red'], 'x')).toBe('\u001b[31m\u001b[1mx\u001b[22m\u001b[39m');
  });
});

describe('wrap', () => {
  it('wraps at the width, with the indent on every line', () => {
    expect(wrap('aaa bbb ccc ddd', 30, '  ')).toEqual(['  aaa bbb ccc ddd']);
    expect(wrap(`${'abcd '.repeat(10)}`.trim(), 24, '    ')).toEqual(['    abcd abcd abcd abcd', '    abcd abcd abcd abcd', '    abcd abcd']);
  });
});
