import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import {
  associatedStandards,
  checksForCompliance,
  complianceFor,
  CONTROL_ID_PATTERN,
  CONTROLS,
  controlsFor,
  FRAMEWORKS,
  MAPPED_CHECK_IDS,
  relatedRequirements,
  REQUIREMENT_PATTERNS,
} from '../../lib/compliance.js';

/** ASFF Compliance.RelatedRequirements: at most 32 items, each matching `.*\S.*` (API reference, Compliance). */
const ASFF_MAX_RELATED_REQUIREMENTS = 32;

describe('compliance mapping', () => {
  it('maps every registered check, and nothing else', () => {
    expect([...MAPPED_CHECK_IDS].sort()).toEqual(CHECKS.map((c) => c.id).sort());
    for (const check of CHECKS) {
      expect(check.compliance, check.id).toBeDefined();
      expect(check.compliance!.length, check.id).toBeGreaterThan(0);
      expect(check.compliance, check.id).toEqual(complianceFor(check.id));
    }
  });

  it.each(CHECKS.map((c) => [c.id] as const))('%s: every entry is well-formed and sourced', (id) => {
    const refs = complianceFor(id);
    for (const ref of refs) {
      expect(FRAMEWORKS).toContain(ref.framework);
      expect(ref.id, `${id} ${ref.id}`).toMatch(REQUIREMENT_PATTERNS[ref.framework]);
      if (ref.source === 'ours') {
        // Our own judgement is only ever stated in NIST 800-53 terms, or as MITRE ATT&CK techniques.
        expect(['nist-800-53', 'mitre-attack']).toContain(ref.framework);
      } else {
        expect(ref.source).toMatch(CONTROL_ID_PATTERN);
        const control = CONTROLS[ref.source];
        expect(control, ref.source).toBeDefined();
        // Copied from the control, not invented: an FSBP entry is the control itself.
        if (ref.framework === 'aws-fsbp') expect([ref.id, control!.fsbp]).toEqual([ref.source, true]);
        else expect(control!.requirements).toContain(ref.id);
      }
    }
    expect(new Set(refs.map((r) => r.id)).size).toBe(refs.length);
  });

  it.each(CHECKS.map((c) => [c.id] as const))('%s: fits ASFF (≤ 32 related requirements, none blank)', (id) => {
    const related = relatedRequirements(complianceFor(id));
    expect(related.length).toBeGreaterThan(0);
    expect(related.length).toBeLessThanOrEqual(ASFF_MAX_RELATED_REQUIREMENTS);
    for (const r of related) expect(r).toMatch(/\S/);
  });

  it('has well-formed controls whose requirements all belong to a known framework', () => {
    for (const [id, control] of Object.entries(CONTROLS)) {
      expect(id).toMatch(CONTROL_ID_PATTERN);
      expect(control.title.length).toBeGreaterThan(10);
      expect(control.requirements.length).toBeGreaterThan(0);
      for (const r of control.requirements) expect(FRAMEWORKS.some((f) => f !== 'aws-fsbp' && REQUIREMENT_PATTERNS[f].test(r)), `${id}: ${r}`).toBe(true);
    }
  });

  it('copies the published requirements of the controls (spot checks against the Security Hub reference)', () => {
    expect(controlsFor('exposure/primary-node-public-ip')).toEqual(['EMR.1']);
    expect(CONTROLS['EMR.1']!.requirements).toContain('PCI DSS v4.0.1/1.4.4');
    expect(CONTROLS['EMR.4']!.requirements).toEqual([
      'NIST.800-53.r5 AC-4',
      'NIST.800-53.r5 SC-7(4)',
      'NIST.800-53.r5 SC-8',
      'NIST.800-53.r5 SC-8(1)',
      'NIST.800-53.r5 SC-8(2)',
      'NIST.800-53.r5 SC-13',
      'NIST.800-53.r5 SC-23',
      'NIST.800-53.r5 SC-23(3)',
    ]);
    expect(CONTROLS['EC2.8']!.requirements).toContain('CIS AWS Foundations Benchmark v3.0.0/5.6');
    expect(complianceFor('logging/no-log-uri').every((r) => r.source === 'ours')).toBe(true);
  });

  it('derives the Security Hub standards from the controls, never from our own picks', () => {
    const ssh = associatedStandards(complianceFor('network/ssh-from-internet'));
    expect(ssh).toEqual(
      expect.arrayContaining([
        'standards/aws-foundational-security-best-practices/v/1.0.0',
        'ruleset/cis-aws-foundations-benchmark/v/1.2.0',
        'standards/cis-aws-foundations-benchmark/v/3.0.0',
        'standards/cis-aws-foundations-benchmark/v/5.0.0',
        'standards/nist-800-53/v/5.0.0',
        'standards/nist-800-171/v/2.0.0',
        'standards/pci-dss/v/3.2.1',
        'standards/pci-dss/v/4.0.1',
      ]),
    );
    expect(associatedStandards(complianceFor('logging/no-log-uri'))).toEqual([]);
    expect(associatedStandards(complianceFor('encryption/at-rest-disabled'))).toEqual(['standards/nist-800-53/v/5.0.0']);
  });
});

describe('checksForCompliance', () => {
  it('selects the checks mapped to a framework, case-insensitively', () => {
    const pci = checksForCompliance('PCI-DSS', CHECKS).map((c) => c.id);
    expect(pci).toContain('exposure/primary-node-public-ip');
    expect(pci).toContain('instance/imdsv2-not-required');
    expect(pci).not.toContain('logging/no-log-uri');
    expect(checksForCompliance(' nist-800-53 ', CHECKS)).toHaveLength(CHECKS.length);
    expect(checksForCompliance('cis', CHECKS).map((c) => c.id)).toEqual(
      CHECKS.filter((c) => c.compliance?.some((r) => r.framework === 'cis')).map((c) => c.id),
    );
    expect(checksForCompliance('aws-fsbp', CHECKS).map((c) => c.id)).toContain('ssm/instance-not-managed');
  });

  it('rejects an unknown framework with the list of known ones', () => {
    expect(() => checksForCompliance('iso-27001', CHECKS)).toThrow(/unknown compliance framework "iso-27001": expected one of aws-fsbp, cis, nist-800-53, nist-800-171, pci-dss/);
  });

  it('keeps the registry order and works on any list of checks', () => {
    const ids = checksForCompliance('aws-fsbp', CHECKS).map((c) => c.id);
    expect(ids).toEqual(CHECKS.map((c) => c.id).filter((id) => ids.includes(id)));
    expect(checksForCompliance('cis', [{ id: 'x/y' }])).toEqual([]);
  });
});
