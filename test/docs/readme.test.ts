import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SETTING_SPECS } from '../../lib/settings.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(`${ROOT}${path}`, 'utf8');
const readme = read('README.md');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
const DOCS = readdirSync(`${ROOT}docs`).filter((f) => f.endsWith('.md'));

/** Topics written on other branches, linked from the front page before they land here. */

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-');

function anchorsOf(markdown: string): Set<string> {
  const out = new Set<string>();
  let fence = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fence = !fence;
    const m = /^#{1,6} (.*)$/.exec(line);
    if (!fence && m) out.add(slug(m[1]!));
    // Explicit anchors (docs/checks.md names each check's section so).
    for (const [, id] of line.matchAll(/<a id="([^"]+)"><\/a>/g)) out.add(id!);
  }
  return out;
}

describe('README, the front page', () => {
  it('is short enough to read in two minutes (at most 200 lines)', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(200);
  });

  it('shows the set-up, demo and test commands, and they exist', () => {
    expect(readme).toContain('npm ci');
    expect(readme).toContain('npm run demo');
    expect(readme).toContain('npm test');
    for (const script of ['demo', 'test', 'bench', 'build', 'package', 'publish', 'deploy', 'docs:checks', 'typecheck', 'lint']) {
      expect(pkg.scripts[script], script).toBeDefined();
    }
  });

  it('installs the command, scans a real account, deploys, and links every topic of docs/', () => {
    for (const heading of ['## Try it (two commands)', '## Install the command', '## Scan a real account', '## Deploy (in brief)', '## Read more']) expect(readme, heading).toContain(heading);
    for (const doc of DOCS) expect(readme, doc).toContain(`](docs/${doc})`);
  });
});

describe('docs/', () => {
  it('documents every setting with its variable, key and default (docs/settings.md)', () => {
    const settings = read('docs/settings.md');
    for (const s of SETTING_SPECS) {
      const row = settings.split('\n').find((line) => line.startsWith(`| \`${s.env}\` |`));
      expect(row, s.env).toBeDefined();
      expect(row).toContain(`\`${s.key}\``);
      expect(row).toContain(s.defaultText);
    }
  });

  it('has the organization guide, and its example parameter file exists', () => {
    const org = read('docs/organization.md');
    expect(org).toContain('# Deploy to an organization');
    for (const text of ['--permission-model SERVICE_MANAGED', '--call-as DELEGATED_ADMIN', 'member.org.stacksets.cloudformation.amazonaws.com', 'create-finding-aggregator', 'emr-audit/', 'update-stack-set', 'delete-stack-set']) {
      expect(org, text).toContain(text);
    }
    expect(org).toContain('examples/stackset/parameters.json');
    expect(read('examples/stackset/parameters.json')).toContain('ParameterKey');
  });

  it('says how to remove the deployment and its retained state bucket', () => {
    const deploy = read('docs/deploy.md');
    expect(deploy).toContain('## Remove');
    for (const text of ['npx osls remove', 'DeletionPolicy: Retain', 'list-object-versions', 'delete-objects', 'delete-bucket']) expect(deploy, text).toContain(text);
  });

  it('links only to files and headings that exist (README and every docs/ page)', () => {
    for (const page of ['README.md', ...DOCS.map((d) => `docs/${d}`)]) {
      const dir = page.includes('/') ? 'docs/' : '';
      for (const [, target] of read(page).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [file, anchor] = target!.split('#') as [string, string | undefined];
        const path = file === '' ? page : new URL(file, `file:///${dir}`).pathname.slice(1);
        expect(existsSync(`${ROOT}${path}`), `${page} → ${target}`).toBe(true);
        if (anchor && path.endsWith('.md')) expect(anchorsOf(read(path)).has(anchor), `${page} → ${target}`).toBe(true);
      }
    }
  });
});
