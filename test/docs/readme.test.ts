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
    for (const script of ['demo', 'test', 'bench', 'build', 'package', 'publish', 'deploy', 'docs:checks']) {
      expect(pkg.scripts[script], script).toBeDefined();
    }
  });

  it('has the organization section, and its example parameter file exists', () => {
    expect(readme).toContain('## Deploy to an organization');
    for (const text of ['--permission-model SERVICE_MANAGED', '--call-as DELEGATED_ADMIN', 'member.org.stacksets.cloudformation.amazonaws.com', 'create-finding-aggregator', 'emr-audit/', 'update-stack-set', 'delete-stack-set']) {
      expect(readme, text).toContain(text);
    }
    expect(readme).toContain('examples/stackset/parameters.json');
    expect(readFileSync(fileURLToPath(new URL('../../examples/stackset/parameters.json', import.meta.url)), 'utf8')).toContain('ParameterKey');
  });
});
