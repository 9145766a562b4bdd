/**
 * The installable CLI: `npm pack` (which runs the `prepack` bundle build), then
 * `npm install -g --prefix TMP --offline` of the tarball, then the installed `emr-audit` run from
 * another directory. The packed package has no dependency (everything is bundled), so the install
 * needs no registry: offline is exact, not best effort.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface PackEntry {
  filename: string;
  files: Array<{ path: string }>;
}

describe('npm pack + npm install -g of the tarball', () => {
  let work: string;
  let prefix: string;
  let packed: PackEntry;
  /** A clean environment: no npm config of the checkout, no AWS config, no colour. */
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'emr-audit-pack-'));
    prefix = join(work, 'prefix');
    env = {
      PATH: process.env.PATH,
      HOME: work,
      NO_COLOR: '1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // The user's npm cache: an offline install of a dependency-free tarball never reads it.
      npm_config_cache: join(work, 'npm-cache'),
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
    };
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, env: { ...env, PATH: process.env.PATH }, maxBuffer: 16 * 1024 * 1024 });
    // prepack's own output precedes npm's JSON on stdout.
    packed = (JSON.parse(stdout.slice(stdout.indexOf('[\n'))) as PackEntry[])[0]!;
    await run('npm', ['install', '-g', '--offline', '--prefix', prefix, join(work, packed.filename)], { cwd: work, env });
  }, 240_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('holds only the command, its bundle and the demo account', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toContain('bin/emr-audit.js');
    expect(paths).toContain('dist-cli/main.mjs');
    expect(paths).toContain('examples/demo-account.json');
    expect(paths).toContain('package.json');
    expect(paths.filter((p) => !/^(bin\/emr-audit\.js|dist-cli\/.+\.mjs(\.LEGAL\.txt)?|examples\/demo-account\.json|package\.json|README\.md)$/.test(p))).toEqual([]);
  });

  it('installs an emr-audit that runs from any directory', async () => {
    const bin = join(prefix, 'bin', 'emr-audit');
    const elsewhere = mkdtempSync(join(work, 'elsewhere-'));
    const version = await run(bin, ['--version'], { cwd: elsewhere, env });
    expect(version.stdout).toMatch(/^emr-audit \d+\.\d+\.\d+\nIAM action catalogue: @cloud-copilot\/iam-data \S+ \(\d{4}-\d{2}-\d{2}\)\n$/);

    const demo = await run(bin, ['scan', '--demo'], { cwd: elsewhere, env });
    expect(demo.stdout).toMatch(/^emr-audit · account 123456789012/);
    expect(demo.stdout).toMatch(/12 clusters in 2 regions · \d+ FAIL/);

    const out = join(elsewhere, 'out');
    await run(bin, ['scan', '--demo', '--output-dir', out, '--format', 'json,html', '--quiet'], { cwd: elsewhere, env });
    expect(readdirSync(out).sort().map((f) => f.replace(/\d{8}T\d{6}Z/, 'T'))).toEqual(['emr-audit-123456789012-us-east-1_eu-west-1-T.html', 'emr-audit-123456789012-us-east-1_eu-west-1-T.json']);
    // Nothing of the checkout is reachable from there: the installed copy has no node_modules.
    expect(readdirSync(join(prefix, 'lib', 'node_modules', 'emr-audit'))).not.toContain('node_modules');
  }, 60_000);
});
