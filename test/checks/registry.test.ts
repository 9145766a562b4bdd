import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SEVERITIES } from '../../checks/contract.js';
import { CHECKS } from '../../checks/index.js';
import { SETTING_SPECS } from '../../lib/settings.js';

const catalogue = readFileSync(fileURLToPath(new URL('../../../shared/CHECKS.md', import.meta.url)), 'utf8');
/** Check ids of CHECKS.md tables: `| \`area/name\` | SEVERITY …`. */
const cataloguedIds = [...catalogue.matchAll(/^\| `([a-z0-9-]+\/[a-z0-9-]+)` \| ([A-Z]+)/gm)].map((m) => ({ id: m[1]!, severity: m[2]! }));

describe('check registry', () => {
  it('implements every check of CHECKS.md, with its severity, and nothing else', () => {
    expect(cataloguedIds.length).toBeGreaterThanOrEqual(26);
    expect(CHECKS.map((c) => c.id).sort()).toEqual(cataloguedIds.map((c) => c.id).sort());
    for (const { id, severity } of cataloguedIds) {
      expect(CHECKS.find((c) => c.id === id)?.severity, id).toBe(severity);
    }
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
