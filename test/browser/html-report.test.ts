/**
 * The HTML report in a real headless browser (Debian's chromium, driven by playwright-core): it
 * loads from file:// with no console error (a CSP violation is one) and no request leaving
 * file://, shows the JSON's counts, its filters change what is visible, it reads without script,
 * prints without the controls, and a hostile cluster name stays text. A screenshot is written to
 * test-artifacts/ (gitignored).
 *
 * Without chromium the suite fails in CI (CI=true; .ci/run installs it) and is skipped locally.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCluster, makeSnapshot } from '../helpers/fixtures.js';
import { runCli, tempDir, writeJson } from '../cli/run-cli.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const available = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true' || process.env.CI === '1';

if (!available && !inCi) {
  console.warn(`test/browser: ${CHROMIUM} not found, skipping the browser tests (apt-get install -y chromium; CI installs it)`);
}

interface JsonSummary {
  results: unknown[];
  summary: { counts: Record<string, number>; failBySeverity: Record<string, number>; clustersAudited: number };
}

describe.skipIf(!available && !inCi)('the HTML report in chromium', () => {
  let context: BrowserContext;
  let profileDir: string;
  let reportUrl: string;
  let report: JsonSummary;
  const offsite: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    if (!available) throw new Error(`${CHROMIUM} is missing: CI must install it (.ci/run: apt-get install -y chromium)`);
    const dir = tempDir();
    const run = await runCli(['scan', '--demo', '--output-dir', dir, '--format', 'json,html', '--quiet']);
    expect(run.code).toBe(0);
    const files = readdirSync(dir);
    report = JSON.parse(readFileSync(join(dir, files.find((f) => f.endsWith('.json'))!), 'utf8')) as JsonSummary;
    reportUrl = pathToFileURL(join(dir, files.find((f) => f.endsWith('.html'))!)).href;

    profileDir = mkdtempSync(join(tmpdir(), 'emr-audit-chromium-'));
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 1600 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    // Anything not from the file itself is recorded and refused: the report must need nothing.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
      offsite.push(url);
      return route.abort();
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  async function open(url = reportUrl): Promise<Page> {
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(url, { waitUntil: 'load' });
    return page;
  }

  const shownCount = (page: Page): Promise<number> => page.locator('.result:visible').count();

  it('loads with no console error and no request leaving file://, and writes a screenshot', async () => {
    const page = await open();
    await expect.poll(() => page.locator('#shown-count').textContent()).toBe(`${report.results.length} of ${report.results.length} results shown`);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'html-report.png') });
    expect(existsSync(join(ARTIFACTS, 'html-report.png'))).toBe(true);
    expect(consoleErrors).toEqual([]);
    expect(offsite).toEqual([]);
    await page.close();
  }, 30_000);

  it('shows the counts of the JSON report', async () => {
    const page = await open();
    for (const [status, n] of Object.entries(report.summary.counts)) {
      expect(await page.locator(`[data-count-status="${status}"]`).textContent(), status).toBe(String(n));
    }
    for (const [severity, n] of Object.entries(report.summary.failBySeverity)) {
      expect(await page.locator(`[data-count-severity="${severity}"]`).textContent(), severity).toBe(String(n));
    }
    expect(await page.locator('[data-count="clusters"]').textContent()).toBe(String(report.summary.clustersAudited));
    expect(await page.locator('.result').count()).toBe(report.results.length);
    expect(await page.locator('section.group').count()).toBe(report.summary.clustersAudited + 2);
    await page.close();
  }, 30_000);

  it('filters by status, severity and check', async () => {
    const page = await open();
    for (const status of ['ERROR', 'SUPPRESSED', 'PASS', 'NOT_APPLICABLE']) await page.locator(`input[name="status"][value="${status}"]`).uncheck();
    expect(await shownCount(page)).toBe(report.summary.counts.FAIL);
    await expect.poll(() => page.locator('#shown-count').textContent()).toBe(`${report.summary.counts.FAIL} of ${report.results.length} results shown`);

    for (const severity of ['HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL']) await page.locator(`input[name="severity"][value="${severity}"]`).uncheck();
    expect(await shownCount(page)).toBe(report.summary.failBySeverity.CRITICAL);

    await page.locator('button[type="reset"]').click();
    await expect.poll(() => shownCount(page)).toBe(report.results.length);

    await page.locator('select[name="check"]').selectOption('logging/no-log-uri');
    const checks = await Promise.all((await page.locator('.result:visible').all()).map((el) => el.getAttribute('data-check')));
    expect(checks.length).toBeGreaterThan(0);
    expect(new Set(checks)).toEqual(new Set(['logging/no-log-uri']));
    await page.close();
  }, 30_000);

  it('reads without script: everything shown, no dead controls', async () => {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
    await page.goto(reportUrl);
    expect(await page.locator('#filters').isVisible()).toBe(false);
    expect(await shownCount(page)).toBe(report.results.length);
    expect(await page.locator('#check-logging-no-log-uri').isVisible()).toBe(true);
    await page.close();
  }, 30_000);

  it('prints without the controls', async () => {
    const page = await open();
    expect(await page.locator('#filters').isVisible()).toBe(true);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#filters').isVisible()).toBe(false);
    expect(await shownCount(page)).toBe(report.results.length);
    await page.close();
  }, 30_000);

  it('keeps a cluster named <script> as text', async () => {
    const evil = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';
    const dir = tempDir();
    const snapshot = writeJson(dir, 's.json', makeSnapshot([{ clusters: [makeCluster({ id: 'j-EVIL', name: evil })] }]));
    const out = join(dir, 'evil.html');
    expect((await runCli(['scan', '--snapshot', snapshot, '--output', out, '--quiet'])).code).toBe(0);
    const page = await open(pathToFileURL(out).href);
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    expect(await page.locator('section.group h3').filter({ hasText: evil }).count()).toBe(1);
    expect(consoleErrors).toEqual([]);
    expect(offsite).toEqual([]);
    await page.close();
  }, 30_000);
});
