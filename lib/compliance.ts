/**
 * The compliance mapping of every check: which AWS Security Hub CSPM control(s) it is closest to,
 * and the framework requirements those controls are published with ("Related requirements" in the
 * Security Hub CSPM controls reference). Checks with no close control map to the NIST SP 800-53
 * r5 controls a reviewer would cite, marked `source: 'ours'`, so nobody mistakes our judgement for
 * AWS's. The checks reference this data (`compliance: complianceFor(id)`); the report renderers
 * (ASFF, JSON, SARIF, OCSF, CSV, docs) read it from the checks. Pure data and pure functions.
 *
 * Sources (read 2026-12; requirement strings are copied as Security Hub writes them):
 *   https://docs.aws.amazon.com/securityhub/latest/userguide/emr-controls.html
 *   https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html
 *   https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html
 *   https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html
 *   https://docs.aws.amazon.com/securityhub/latest/userguide/ssm-controls.html
 *   https://docs.aws.amazon.com/securityhub/latest/userguide/fsbp-standard.html (FSBP membership)
 * None of these controls lists NIST CSF requirements, so there is no `nist-csf` framework here.
 */

/** Framework names, as `--compliance NAME` accepts them. */
export const FRAMEWORKS = ['aws-fsbp', 'cis', 'nist-800-53', 'nist-800-171', 'pci-dss', 'mitre-attack'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** One requirement of one framework that a check relates to, with where the mapping comes from. */
export interface ComplianceRef {
  framework: Framework;
  /** The requirement as the framework (and Security Hub) writes it: `NIST.800-53.r5 AC-4`, `PCI DSS v4.0.1/1.4.4`, `EMR.1`. */
  id: string;
  /** The Security Hub CSPM control this entry comes from (`EMR.1`), or `ours` for our own mapping. */
  source: string;
}

/** What a requirement id of each framework looks like (a test holds the data to it). */
export const REQUIREMENT_PATTERNS: Readonly<Record<Framework, RegExp>> = {
  'aws-fsbp': /^[A-Za-z0-9]+\.\d+$/,
  cis: /^CIS AWS Foundations Benchmark v\d+\.\d+\.\d+\/\d+(\.\d+)*$/,
  'nist-800-53': /^NIST\.800-53\.r5 [A-Z]{2}-\d+(\(\d+\))?$/,
  'nist-800-171': /^NIST\.800-171\.r2 \d+\.\d+\.\d+$/,
  'pci-dss': /^PCI DSS v(3\.2\.1|4\.0\.1)\/\d+(\.\d+)*$/,
  // Enterprise ATT&CK technique ids (https://attack.mitre.org/techniques/enterprise/), with sub-technique.
  'mitre-attack': /^MITRE ATT&CK T\d{4}(\.\d{3})?$/,
};

/** A Security Hub CSPM control id: `EMR.1`, `EC2.19`. */
export const CONTROL_ID_PATTERN = /^[A-Za-z0-9]+\.\d+$/;

interface Control {
  title: string;
  /** In the AWS Foundational Security Best Practices standard (per the FSBP controls list). */
  fsbp: boolean;
  /** "Related requirements" of the control, verbatim. */
  requirements: readonly string[];
}

const nist = (...ids: string[]): string[] => ids.map((id) => `NIST.800-53.r5 ${id}`);
const nist171 = (...ids: string[]): string[] => ids.map((id) => `NIST.800-171.r2 ${id}`);

/** The public-address family shared by EMR.1, EMR.2 and EC2.9 (identical lists in the reference). */
const PUBLIC_ACCESS_NIST = nist('AC-21', 'AC-3', 'AC-3(7)', 'AC-4', 'AC-4(21)', 'AC-6', 'SC-7', 'SC-7(11)', 'SC-7(16)', 'SC-7(20)', 'SC-7(21)', 'SC-7(3)', 'SC-7(4)', 'SC-7(9)');
const ENCRYPTION_AT_REST_NIST = nist('CA-9(1)', 'CM-3(6)', 'SC-13', 'SC-28', 'SC-28(1)', 'SC-7(10)', 'SI-7(6)');
const LEAST_PRIVILEGE_NIST = nist('AC-2', 'AC-2(1)', 'AC-3', 'AC-3(15)', 'AC-3(7)', 'AC-5', 'AC-6', 'AC-6(10)', 'AC-6(2)', 'AC-6(3)');

export const CONTROLS: Readonly<Record<string, Control>> = {
  'EMR.1': {
    title: 'Amazon EMR cluster primary nodes should not have public IP addresses',
    fsbp: true,
    requirements: ['PCI DSS v3.2.1/1.2.1', 'PCI DSS v3.2.1/1.3.1', 'PCI DSS v3.2.1/1.3.2', 'PCI DSS v3.2.1/1.3.4', 'PCI DSS v3.2.1/1.3.6', 'PCI DSS v4.0.1/1.4.4', ...PUBLIC_ACCESS_NIST],
  },
  'EMR.2': {
    title: 'Amazon EMR block public access setting should be enabled',
    fsbp: false,
    requirements: ['PCI DSS v4.0.1/1.4.4', ...PUBLIC_ACCESS_NIST],
  },
  'EMR.3': {
    title: 'Amazon EMR security configurations should be encrypted at rest',
    fsbp: false,
    requirements: nist('CA-9(1)', 'CP-9(8)', 'SI-12'),
  },
  'EMR.4': {
    title: 'Amazon EMR security configurations should be encrypted in transit',
    fsbp: false,
    requirements: nist('AC-4', 'SC-7(4)', 'SC-8', 'SC-8(1)', 'SC-8(2)', 'SC-13', 'SC-23', 'SC-23(3)'),
  },
  'EC2.3': {
    title: 'Attached Amazon EBS volumes should be encrypted at-rest',
    fsbp: true,
    requirements: ENCRYPTION_AT_REST_NIST,
  },
  'EC2.8': {
    title: 'EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)',
    fsbp: true,
    requirements: ['CIS AWS Foundations Benchmark v5.0.0/5.7', 'CIS AWS Foundations Benchmark v3.0.0/5.6', ...nist('AC-3', 'AC-3(15)', 'AC-3(7)', 'AC-6'), 'PCI DSS v4.0.1/2.2.6'],
  },
  'EC2.9': {
    title: 'Amazon EC2 instances should not have a public IPv4 address',
    fsbp: true,
    requirements: PUBLIC_ACCESS_NIST,
  },
  'EC2.13': {
    title: 'Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22',
    fsbp: false,
    requirements: [
      'CIS AWS Foundations Benchmark v1.2.0/4.1',
      ...nist('AC-4', 'AC-4(21)', 'CM-7', 'SC-7', 'SC-7(11)', 'SC-7(16)', 'SC-7(21)', 'SC-7(4)', 'SC-7(5)'),
      ...nist171('3.1.3', '3.13.1'),
      'PCI DSS v3.2.1/1.2.1',
      'PCI DSS v3.2.1/1.3.1',
      'PCI DSS v3.2.1/2.2.2',
      'PCI DSS v4.0.1/1.3.1',
    ],
  },
  'EC2.18': {
    title: 'Security groups should only allow unrestricted incoming traffic for authorized ports',
    fsbp: true,
    requirements: [...nist('AC-4', 'AC-4(21)', 'SC-7', 'SC-7(11)', 'SC-7(16)', 'SC-7(21)', 'SC-7(4)', 'SC-7(5)'), ...nist171('3.1.3', '3.1.20', '3.13.1')],
  },
  'EC2.19': {
    title: 'Security groups should not allow unrestricted access to ports with high risk',
    fsbp: true,
    requirements: [
      ...nist('AC-4', 'AC-4(21)', 'CA-9(1)', 'CM-2', 'CM-2(2)', 'CM-7', 'SC-7', 'SC-7(11)', 'SC-7(16)', 'SC-7(21)', 'SC-7(4)', 'SC-7(5)'),
      ...nist171('3.1.3', '3.1.20', '3.13.1'),
    ],
  },
  'EC2.53': {
    title: 'EC2 security groups should not allow ingress from 0.0.0.0/0 to remote server administration ports',
    fsbp: false,
    requirements: ['CIS AWS Foundations Benchmark v5.0.0/5.3', 'CIS AWS Foundations Benchmark v3.0.0/5.2', 'PCI DSS v4.0.1/1.3.1'],
  },
  'EC2.54': {
    title: 'EC2 security groups should not allow ingress from ::/0 to remote server administration ports',
    fsbp: false,
    requirements: ['CIS AWS Foundations Benchmark v5.0.0/5.4', 'CIS AWS Foundations Benchmark v3.0.0/5.3', 'PCI DSS v4.0.1/1.3.1'],
  },
  'IAM.1': {
    title: 'IAM policies should not allow full "*" administrative privileges',
    fsbp: true,
    requirements: ['CIS AWS Foundations Benchmark v1.2.0/1.22', 'CIS AWS Foundations Benchmark v1.4.0/1.16', ...LEAST_PRIVILEGE_NIST, ...nist171('3.1.4'), 'PCI DSS v3.2.1/7.2.1'],
  },
  'IAM.21': {
    title: 'IAM customer managed policies that you create should not allow wildcard actions for services',
    fsbp: true,
    requirements: [...LEAST_PRIVILEGE_NIST, ...nist171('3.1.1', '3.1.2', '3.1.5', '3.1.7', '3.3.8', '3.3.9', '3.13.3', '3.13.4')],
  },
  'KMS.1': {
    title: 'IAM customer managed policies should not allow decryption actions on all KMS keys',
    fsbp: true,
    requirements: nist('AC-2', 'AC-2(1)', 'AC-3', 'AC-3(15)', 'AC-3(7)', 'AC-5', 'AC-6', 'AC-6(3)'),
  },
  'KMS.2': {
    title: 'IAM principals should not have IAM inline policies that allow decryption actions on all KMS keys',
    fsbp: true,
    requirements: nist('AC-2', 'AC-2(1)', 'AC-3', 'AC-3(15)', 'AC-3(7)', 'AC-5', 'AC-6', 'AC-6(3)'),
  },
  'SSM.1': {
    title: 'Amazon EC2 instances should be managed by AWS Systems Manager',
    fsbp: true,
    requirements: ['PCI DSS v3.2.1/2.4', ...nist('CA-9(1)', 'CM-2', 'CM-2(2)', 'CM-8', 'CM-8(1)', 'CM-8(2)', 'CM-8(3)', 'SA-15(2)', 'SA-15(8)', 'SA-3', 'SI-2(3)')],
  },
};

/** How a check is mapped: the Security Hub controls it is closest to, and/or our own NIST 800-53 picks. */
interface CheckMapping {
  controls?: readonly string[];
  /** NIST 800-53 r5 controls (`AC-4`) a reviewer would cite where no Security Hub control is close. */
  ours?: readonly string[];
  /** MITRE ATT&CK (Enterprise) technique ids (`T1190`, `T1552.005`) of what the finding lets an attacker do. */
  attack?: readonly string[];
  /** Why, when it is not obvious (shown in docs/checks.md). */
  note?: string;
}

const MAPPINGS: Readonly<Record<string, CheckMapping>> = {
  'network/all-traffic-from-internet': { controls: ['EC2.18', 'EC2.19', 'EC2.53', 'EC2.54'] },
  'network/ssh-from-internet': { controls: ['EC2.13', 'EC2.19', 'EC2.53', 'EC2.54'] },
  'network/application-port-from-internet': {
    controls: ['EC2.18', 'EC2.19'],
    note: 'EC2.19 lists 8080, 8088 and 8888 among its high-risk ports; the other EMR ports fall under EC2.18.',
  },
  'network/other-port-from-internet': { controls: ['EC2.18'] },
  'network/shared-managed-security-group': {
    ours: ['AC-4', 'SC-7', 'SC-7(21)'],
    note: 'No Security Hub control looks at security groups shared between clusters; SC-7(21) is isolation of system components.',
  },
  'network/cluster-manager-port-exposed': {
    ours: ['AC-4', 'SC-7', 'SC-7(5)'],
    note: 'The exposure is to sources inside the network, which no Security Hub control covers; SC-7(5) is deny by default, allow by exception.',
  },
  'exposure/primary-node-public-ip': { controls: ['EMR.1'] },
  'exposure/node-public-ip': { controls: ['EC2.9'] },
  'exposure/internet-reachable-port': {
    controls: ['EC2.18', 'EC2.19', 'EC2.9', 'EMR.1'],
    note: 'No Security Hub control follows the whole path (Amazon Inspector network reachability does): a reachable port is an EC2.18/EC2.19 rule from the internet on a node with an EC2.9/EMR.1 public address, confirmed along the route table and network ACL; EMR.1 brings the PCI DSS requirements on inbound internet traffic (1.3.1, 1.4.4).',
  },
  'exposure/attack-path': {
    controls: ['EC2.19', 'EMR.1'],
    ours: ['IA-2', 'AC-6', 'SC-7'],
    attack: ['T1190', 'T1059', 'T1552.005', 'T1078.004'],
    note: 'No Security Hub control joins reachability, an application that runs code and missing authentication. ATT&CK: Exploit Public-Facing Application (T1190) by a Command and Scripting Interpreter (T1059) on the node, whose Cloud Instance Metadata API credentials (T1552.005) then act as a cloud account (T1078.004).',
  },
  'exposure/block-public-access-disabled': { controls: ['EMR.2'] },
  'encryption/no-security-configuration': { controls: ['EMR.3', 'EMR.4'] },
  'encryption/at-rest-disabled': { controls: ['EMR.3'] },
  'encryption/local-disk-unencrypted': { controls: ['EMR.3', 'EC2.3'] },
  'encryption/s3-unencrypted': { controls: ['EMR.3'] },
  'encryption/in-transit-disabled': { controls: ['EMR.4'] },
  'authentication/no-authentication': {
    ours: ['IA-2', 'AC-3', 'AC-6'],
    note: 'No Security Hub control checks EMR authentication (Kerberos, Identity Center, LDAP, runtime roles).',
  },
  'instance/imdsv2-not-required': { controls: ['EC2.8'] },
  'iam/instance-profile-admin': { controls: ['IAM.1'] },
  'iam/instance-profile-deprecated-policy': {
    controls: ['IAM.21'],
    note: 'IAM.21 evaluates customer managed policies; the deprecated AWS managed policy grants the same service-wide wildcards (s3:*, dynamodb:*, sqs:*…).',
  },
  'iam/instance-profile-wildcard-data-access': {
    controls: ['KMS.1', 'KMS.2'],
    note: 'KMS.1/KMS.2 cover kms:Decrypt on all keys; the other data actions share their least-privilege requirements.',
  },
  'iam/instance-profile-privilege-escalation': {
    ours: ['AC-3', 'AC-6', 'AC-6(10)'],
    note: 'IAM.1 only sees full "*" grants; escalation paths (PassRole with a launch action, IAM writes) have no Security Hub control.',
  },
  'iam/instance-profile-missing-ssm-permissions': {
    controls: ['SSM.1'],
    note: 'Without these permissions the nodes cannot become SSM managed instances, which SSM.1 requires.',
  },
  'iam/service-role-deprecated-policy': {
    ours: ['AC-6'],
    note: 'The v1 service policy grants EC2 writes on every resource; the v2 policy scopes them by tag.',
  },
  'ssm/instance-not-managed': { controls: ['SSM.1'] },
  'ssm/agent-not-online': { controls: ['SSM.1'] },
  'secrets/plaintext-in-configurations': {
    ours: ['IA-5(7)', 'SC-28'],
    attack: ['T1552'],
    note: 'No Security Hub control reads EMR Configurations; IA-5(7) is no embedded unprotected authenticators. ATT&CK: Unsecured Credentials (T1552), readable by anyone allowed elasticmapreduce:DescribeCluster.',
  },
  'logging/no-log-uri': {
    ours: ['AU-2', 'AU-11', 'AU-12'],
    note: 'No Security Hub control checks EMR log archiving; without LogUri the logs are lost with the cluster (AU-11 retention).',
  },
  'lifecycle/outdated-release': {
    ours: ['SI-2', 'SA-22'],
    note: 'No Security Hub control checks EMR release labels; SI-2 is flaw remediation, SA-22 unsupported system components.',
  },
};

function frameworkOf(requirement: string): Framework {
  for (const framework of FRAMEWORKS) if (REQUIREMENT_PATTERNS[framework].test(requirement)) return framework;
  throw new Error(`compliance: "${requirement}" matches no known framework`);
}

/** A check's mapping as flat entries: FSBP control ids first, then each requirement once (first source wins). */
export function complianceFor(checkId: string): ComplianceRef[] {
  const mapping = MAPPINGS[checkId];
  if (!mapping) return [];
  const refs: ComplianceRef[] = [];
  const seen = new Set<string>();
  const add = (ref: ComplianceRef): void => {
    if (seen.has(ref.id)) return;
    seen.add(ref.id);
    refs.push(ref);
  };
  for (const id of mapping.controls ?? []) {
    const control = CONTROLS[id];
    if (!control) throw new Error(`compliance: ${checkId} names unknown control ${id}`);
    if (control.fsbp) add({ framework: 'aws-fsbp', id, source: id });
  }
  for (const id of mapping.controls ?? []) {
    for (const requirement of CONTROLS[id]!.requirements) add({ framework: frameworkOf(requirement), id: requirement, source: id });
  }
  for (const control of mapping.ours ?? []) add({ framework: 'nist-800-53', id: `NIST.800-53.r5 ${control}`, source: 'ours' });
  for (const technique of mapping.attack ?? []) add({ framework: 'mitre-attack', id: `MITRE ATT&CK ${technique}`, source: 'ours' });
  return refs;
}

/** The Security Hub controls a check is mapped to (empty for checks mapped by us only). */
export function controlsFor(checkId: string): string[] {
  return [...(MAPPINGS[checkId]?.controls ?? [])];
}

/** Why a check is mapped the way it is, when that needs saying. */
export function mappingNote(checkId: string): string | undefined {
  return MAPPINGS[checkId]?.note;
}

/** Check ids that have a mapping (a test compares them with the registry). */
export const MAPPED_CHECK_IDS: readonly string[] = Object.keys(MAPPINGS);

/**
 * Framework requirement ids for ASFF `Compliance.RelatedRequirements` (the FSBP control ids are
 * standards membership, not requirements; ATT&CK techniques describe the attack, not a control to
 * comply with — ASFF carries that as the `TTPs/…` type).
 */
export function relatedRequirements(refs: readonly ComplianceRef[]): string[] {
  return [...new Set(refs.filter((r) => r.framework !== 'aws-fsbp' && r.framework !== 'mitre-attack').map((r) => r.id))];
}

/**
 * Security Hub `StandardsId`s (the resource part of the standard's ARN, as DescribeStandards
 * returns it) of the standards whose controls a check maps to. Only entries that come from a
 * Security Hub control count: our own NIST picks are not Security Hub standard membership.
 */
export function associatedStandards(refs: readonly ComplianceRef[]): string[] {
  const out = new Set<string>();
  for (const ref of refs) {
    if (ref.source === 'ours') continue;
    const id = standardOf(ref);
    if (id) out.add(id);
  }
  return [...out];
}

function standardOf(ref: ComplianceRef): string | undefined {
  switch (ref.framework) {
    case 'aws-fsbp':
      return 'standards/aws-foundational-security-best-practices/v/1.0.0';
    case 'nist-800-53':
      return 'standards/nist-800-53/v/5.0.0';
    case 'nist-800-171':
      return 'standards/nist-800-171/v/2.0.0';
    case 'pci-dss':
      return ref.id.startsWith('PCI DSS v3.2.1/') ? 'standards/pci-dss/v/3.2.1' : 'standards/pci-dss/v/4.0.1';
    case 'mitre-attack':
      return undefined;
    case 'cis': {
      const version = /v(\d+\.\d+\.\d+)\//.exec(ref.id)?.[1];
      if (!version) return undefined;
      // CIS v1.2.0 predates the `standards/` ARNs: Security Hub still names it `ruleset/…`.
      return version === '1.2.0' ? 'ruleset/cis-aws-foundations-benchmark/v/1.2.0' : `standards/cis-aws-foundations-benchmark/v/${version}`;
    }
  }
}

/**
 * The checks that map to a framework (`--compliance NAME`): case-insensitive; an unknown name
 * throws an error that lists the known ones.
 */
export function checksForCompliance<T extends { id: string; compliance?: readonly ComplianceRef[] }>(name: string, checks: readonly T[]): T[] {
  const wanted = name.trim().toLowerCase();
  const framework = FRAMEWORKS.find((f) => f === wanted);
  if (!framework) throw new Error(`unknown compliance framework "${name}": expected one of ${FRAMEWORKS.join(', ')}`);
  return checks.filter((c) => (c.compliance ?? []).some((r) => r.framework === framework));
}
