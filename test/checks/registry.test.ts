import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../checks/catalogue.js';
import { SEVERITIES } from '../../checks/contract.js';
import { CHECKS } from '../../checks/index.js';
import { SETTING_SPECS } from '../../lib/settings.js';

/**
 * The team's CHECKS.md lives outside the repository: CI names it in this variable (.ci/run); a
 * user's clone has no such file, and then only the repository's own catalogue is checked.
 */
const CHECKS_MD = process.env.EMR_AUDIT_TEST_CHECKS_MD;
const haveChecksMd = CHECKS_MD !== undefined && CHECKS_MD !== '' && existsSync(CHECKS_MD);
if (!haveChecksMd) {
  process.stderr.write('registry.test: EMR_AUDIT_TEST_CHECKS_MD not set or missing: skipping the comparison with CHECKS.md (the repository catalogue is still checked)\n');
}

describe('check registry', () => {
  it('implements every implemented id of the catalogue, with its severity, and nothing else', () => {
    const implemented = CATALOGUE.filter((c) => c.status === 'implemented');
    expect(implemented.length).toBeGreaterThanOrEqual(26);
    expect(CHECKS.map((c) => c.id).sort()).toEqual(implemented.map((c) => c.id).sort());
    for (const { id, severity } of implemented) expect(CHECKS.find((c) => c.id === id)?.severity, id).toBe(severity);
  });

  it('lists each catalogue id once', () => {
    const ids = CATALOGUE.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.skipIf(!haveChecksMd)('catalogue equals the tables of CHECKS.md: ids and severities', () => {
    const text = readFileSync(CHECKS_MD!, 'utf8');
    /** Check ids of CHECKS.md tables: `| \`area/name\` | SEVERITY …`. */
    const catalogued = [...text.matchAll(/^\| `([a-z0-9-]+\/[a-z0-9-]+)` \| ([A-Z]+)/gm)].map((m) => ({ id: m[1]!, severity: m[2]! }));
    expect(catalogued.length).toBeGreaterThanOrEqual(26);
    expect(CATALOGUE.map(({ id, severity }) => ({ id, severity })).sort((a, b) => a.id.localeCompare(b.id))).toEqual(catalogued.sort((a, b) => a.id.localeCompare(b.id)));
  });

  it('has unique ids of the public form area/name', () => {
    const ids = CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z]+\/[a-z0-9-]+$/);
  });

  it.each(CHECKS.map((c) => [c.id, c] as const))('%s has complete metadata', (_id, check) => {
    expect(SEVERITIES).toContain(check.severity);
    expect(check.title.length).toBeGreaterThan(10);
    expect(check.title.length).toBeLessThanOrEqual(200);
    expect(check.description).not.toMatch(/TODO/);
    expect(check.description.length).toBeGreaterThan(20);
    expect(check.remediation.text).not.toMatch(/TODO/);
    expect(check.remediation.text.length).toBeGreaterThan(30);
    expect(check.remediation.text.length).toBeLessThanOrEqual(512);
    expect(check.remediation.url).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    expect(check.types.length).toBeGreaterThan(0);
    expect(check.permissions.length).toBeGreaterThan(0);
    for (const p of check.permissions) expect(p).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
    const keys = new Set(SETTING_SPECS.map((s) => s.key));
    for (const s of check.settings) expect(keys.has(s)).toBe(true);
  });
});
