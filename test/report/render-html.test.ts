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

  it('opens with Fix first (attack paths, then other CRITICAL FAILs) and a cluster index ranked by risk', () => {
    const html = renderHtml(
      input({
        results: [
          result({ checkId: 'network/crit', status: 'FAIL', severity: 'CRITICAL', clusterId: 'j-BBB', clusterName: 'beta', resourceId: 'j-BBB', message: 'Critical thing: detail.' }),
          result({ checkId: 'exposure/attack-path', status: 'FAIL', severity: 'CRITICAL', clusterName: 'alpha', message: 'Anyone on the internet can run code: more.' }),
          result({ checkId: 'x/high', status: 'FAIL', severity: 'HIGH', clusterId: 'j-BBB', clusterName: 'beta', resourceId: 'j-BBB' }),
          result({ checkId: 'x/err', status: 'ERROR', clusterId: 'j-CCC', clusterName: 'gamma', resourceId: 'j-CCC' }),
        ],
        snapshot: makeSnapshot([{ clusters: [makeCluster({ id: 'j-AAA', name: 'alpha' }), makeCluster({ id: 'j-BBB', name: 'beta' }), makeCluster({ id: 'j-CCC', name: 'gamma' })] }]),
      }),
    );
    const fix = html.indexOf('<section id="fix-first"');
    expect(fix).toBeGreaterThan(0);
    expect(fix).toBeLessThan(html.indexOf('<section id="summary"'));
    expect([...html.matchAll(/data-fix-first="([^"]+)"/g)].map((m) => m[1])).toEqual(['exposure/attack-path', 'network/crit']);
    expect(html).toContain('ATTACK PATH');
    expect([...html.matchAll(/<tr data-cluster="([^"]+)">/g)].map((m) => m[1])).toEqual(['j-AAA', 'j-BBB', 'j-CCC']);
    // The ERROR count of a cluster is in the index, next to the top.
    expect(html).toMatch(/<tr data-cluster="j-CCC">.*?<td>1<\/td><td>0<\/td><\/tr>/);
  });

  it('links resource ids to the AWS console (commercial partition only), roles by name', () => {
    const html = renderHtml(
      input({
        results: [
          result({ checkId: 'a/one', status: 'FAIL', resources: ['sg-0abc', 'i-0def', 'my-role', EVIL], resourceDetails: [{ type: 'AwsIamRole', id: 'my-role' }] }),
        ],
      }),
    );
    expect(html).toContain('<a href="https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#SecurityGroup:groupId=sg-0abc" rel="noreferrer">sg-0abc</a>');
    expect(html).toContain('#InstanceDetails:instanceId=i-0def');
    expect(html).toContain('<a href="https://console.aws.amazon.com/iam/home#/roles/details/my-role" rel="noreferrer">my-role</a>');
    expect(html).toContain(escapeHtml(EVIL));
    const china = renderHtml(input({ results: [result({ checkId: 'a/one', status: 'FAIL', resources: ['sg-0abc'] })], snapshot: makeSnapshot([{}], { partition: 'aws-cn' }) }));
    expect(china).not.toContain('console.aws.amazon.com/ec2');
  });
});
