import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Check } from '../../checks/contract.js';
import { CHECKS } from '../../checks/index.js';
import { anchor, DOC_PATH, renderChecksDoc, renderComplianceTable } from '../../scripts/gen-checks-doc.js';

const SCAN_DOC = readFileSync(new URL('../../docs/scan.md', import.meta.url), 'utf8');

describe('docs/checks.md', () => {
  it('is what scripts/gen-checks-doc.ts generates from the registry (regenerate: node --import tsx scripts/gen-checks-doc.ts)', () => {
    expect(readFileSync(DOC_PATH, 'utf8')).toBe(renderChecksDoc(CHECKS));
  });
});

describe('renderChecksDoc', () => {
  const check: Check = {
    id: 'network/example-check',
    title: 'Example | with a pipe',
    severity: 'HIGH',
    scope: 'region',
    description: 'What it looks for.',
    types: [],
    remediation: { text: 'Do this.', url: 'https://docs.aws.amazon.com/x' },
    permissions: ['ec2:DescribeSecurityGroups', 'elasticmapreduce:DescribeCluster'],
    settings: ['trustedCidrs'],
    evaluate: () => [],
  };
  const doc = renderChecksDoc([check]);

  it('lists every check in a table linking to its section, escaping table cells', () => {
    expect(doc).toContain('| [`network/example-check`](#network-example-check) | HIGH | Example \\| with a pipe |');
    expect(anchor('network/example-check')).toBe('network-example-check');
    expect(doc).toContain('<a id="network-example-check"></a>\n\n### `network/example-check`');
  });

  it('gives severity, scope, description, remediation with its link, permissions and settings', () => {
    expect(doc).toContain('**Example | with a pipe** — severity **HIGH**, evaluated once per region (account level).');
    expect(doc).toContain('What it looks for.');
    expect(doc).toContain('**Remediation.** Do this. ([AWS documentation](https://docs.aws.amazon.com/x))');
    expect(doc).toContain('**IAM permissions read:** `ec2:DescribeSecurityGroups`, `elasticmapreduce:DescribeCluster`');
    expect(doc).toMatch(/- `trustedCidrs` \(`EMR_AUDIT_TRUSTED_CIDRS`, default \(none\)\): CIDRs whose SSH access/);
    expect(doc).toContain('## network — cluster security groups');
  });
});

describe('the compliance mapping in the docs', () => {
  const mapped: Check = {
    id: 'exposure/example',
    title: 'Example mapped check',
    severity: 'HIGH',
    scope: 'cluster',
    description: 'What it looks for.',
    types: [],
    remediation: { text: 'Do this.', url: 'https://docs.aws.amazon.com/x' },
    permissions: ['elasticmapreduce:DescribeCluster'],
    settings: [],
    compliance: [
      { framework: 'aws-fsbp', id: 'EMR.1', source: 'EMR.1' },
      { framework: 'pci-dss', id: 'PCI DSS v4.0.1/1.4.4', source: 'EMR.1' },
      { framework: 'nist-800-53', id: 'NIST.800-53.r5 SC-7', source: 'EMR.1' },
    ],
    evaluate: () => [],
  };
  const ours: Check = { ...mapped, id: 'logging/example', compliance: [{ framework: 'nist-800-53', id: 'NIST.800-53.r5 AU-11', source: 'ours' }] };

  it('tabulates check → control → requirements per framework, marking FSBP controls and our own mappings', () => {
    const table = renderComplianceTable([mapped, ours]);
    expect(table).toContain('| `exposure/example` | EMR.1 (FSBP) | — | 4.0.1/1.4.4 | SC-7 | — |');
    expect(table).toContain('| `logging/example` | ours | — | — | AU-11 | — |');
  });

  it('gives each check its controls and requirements, and the table in the catalogue', () => {
    const doc = renderChecksDoc([mapped, ours]);
    expect(doc).toContain('**Compliance** (closest Security Hub CSPM control(s): EMR.1 (Amazon EMR cluster primary nodes should not have public IP addresses, in FSBP)');
    expect(doc).toContain('`PCI DSS v4.0.1/1.4.4`, `NIST.800-53.r5 SC-7`.');
    expect(doc).toContain('**Compliance** (no close Security Hub control: our own mapping to NIST SP 800-53 r5): `NIST.800-53.r5 AU-11`.');
    expect(doc).toContain('## Compliance mapping');
  });

  it('docs/scan.md carries the same mapping table as the registry (regenerate with npm run docs:checks and copy it)', () => {
    expect(SCAN_DOC).toContain(renderComplianceTable(CHECKS));
  });
});
