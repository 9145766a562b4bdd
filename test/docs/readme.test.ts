import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SETTING_SPECS } from '../../lib/settings.js';

const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { scripts: Record<string, string> };

describe('README', () => {
  it('documents every setting with its variable, key and default', () => {
    for (const s of SETTING_SPECS) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${s.env}\` |`));
      expect(row, s.env).toBeDefined();
      expect(row).toContain(`\`${s.key}\``);
      expect(row).toContain(s.defaultText);
    }
  });

  it('shows the set-up, demo and test commands, and they exist', () => {
    expect(readme).toContain('npm ci');
    expect(readme).toContain('npm run demo');
    expect(readme).toContain('npm test');
    for (const script of ['demo', 'test', 'bench', 'build', 'package', 'deploy', 'docs:checks']) {
      expect(pkg.scripts[script], script).toBeDefined();
    }
  });
});
