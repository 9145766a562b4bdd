import { describe, expect, it } from 'vitest';
import type { CheckMeta, Result } from '../../checks/contract.js';
import { escapeHtml, renderHtml } from '../../lib/report/html.js';
import type { ReportInput } from '../../lib/report/report-input.js';
import { ACCOUNT, makeCluster, makeSnapshot, NOW } from '../helpers/fixtures.js';

const EVIL = `<script>window.__pwned = 1</script><img src=x onerror="alert(1)">&"'`;

const meta = (id: string, extra: Record<string, unknown> = {}): CheckMeta => ({
    id,
    title: `Title of ${id}`,
    severity: 'HIGH',
    scope: 'cluster',
    description: `What ${id} looks for`,
    types: [],
    remediation: { text: `Fix ${id}.`, url: 'https://docs.aws.amazon.com/emr/x.html' },
    permissions: [],
    settings: [],
  ...extra,
});

function result(r: Partial<Result> & Pick<Result, 'checkId' | 'status'>): Result {
  return { severity: 'HIGH', region: 'us-east-1', accountId: ACCOUNT, clusterId: 'j-AAA', clusterName: EVIL, title: 't', message: 'm', resources: [], resourceDetails: [], resourceId: 'j-AAA', ...r };
}

function input(extra: Partial<ReportInput> = {}): ReportInput {
  return {
    results: [
      result({ checkId: 'a/one', status: 'FAIL', message: `bad ${EVIL}`, resources: [EVIL] }),
      result({ checkId: 'b/two', status: 'PASS' }),
      result({ checkId: 'a/one', status: 'ERROR', clusterId: null, clusterName: null, resourceId: 'us-east-1' }),
    ],
    snapshot: makeSnapshot([{ clusters: [makeCluster({ id: 'j-AAA', name: EVIL })] }]),
    checks: [meta('a/one', { compliance: [{ control: 'EMR.2', requirements: ['NIST.800-53.r5 AC-3', EVIL] }] }), meta('b/two')],
    startedAt: NOW,
    toolVersion: '9.9.9',
    ...extra,
  };
}

describe('renderHtml', () => {
  it('escapes every string from the data: a cluster named <script> is text', () => {
    const html = renderHtml(input());
    expect(html).not.toContain('<script>window.__pwned');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain(escapeHtml(EVIL));
    // Exactly one script element: ours.
    expect(html.match(/<script/g)).toHaveLength(1);
  });

  it('is self-contained: a CSP allowing only its own inline code, no external reference', () => {
    const html = renderHtml(input());
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; script-src 'sha256-[A-Za-z0-9+/=]+'; img-src data:/);
    expect(html).not.toMatch(/<(link|script|img|iframe)[^>]+(src|href)="(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/);
  });

  it('shows the counts, one section per cluster and the account level, and the remediation', () => {
    const html = renderHtml(input());
    expect(html).toContain('data-count-status="FAIL">1<');
    expect(html).toContain('data-count-status="PASS">1<');
    expect(html).toContain('data-count-severity="HIGH">1<');
    expect(html).toContain('<h3>Account settings');
    expect(html).toContain(`<h3>${escapeHtml(EVIL)} <small>j-AAA`);
    expect(html).toContain('How to fix:</strong> Fix a/one.');
  });

  it('renders a compliance mapping when the check metadata has one, and tolerates its absence', () => {
    const html = renderHtml(input());
    expect(html).toContain('Compliance mapping:');
    expect(html).toContain('NIST.800-53.r5 AC-3');
    expect(renderHtml(input({ checks: [meta('a/one'), meta('b/two')] }))).not.toContain('Compliance mapping:');
  });

  it('links only http(s) remediation URLs', () => {
    const html = renderHtml(input({ checks: [meta('a/one', { remediation: { text: 'x', url: 'javascript:alert(1)' } })] }));
    expect(html).not.toContain('href="javascript:');
  });

  it('is a pure function of its input', () => {
    expect(renderHtml(input())).toBe(renderHtml(input()));
  });
});
