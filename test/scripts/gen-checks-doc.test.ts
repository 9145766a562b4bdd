import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Check } from '../../checks/contract.js';
import { CHECKS } from '../../checks/index.js';
import { anchor, DOC_PATH, renderChecksDoc } from '../../scripts/gen-checks-doc.js';

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
