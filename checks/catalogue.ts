/**
 * The public check catalogue: every check id emr-audit has released or committed to, with its
 * default severity. Ids appear in finding Ids, GeneratorIds, suppression tags and users'
 * automation, so an id listed here never changes meaning; the registry (./index.ts) is tested
 * against this list, and CI also compares it with the team's CHECKS.md when that file is given.
 */
import type { Severity } from './contract.js';

export interface CatalogueEntry {
  id: string;
  severity: Severity;
  /** `planned`: catalogued in CHECKS.md, not implemented yet (no finding carries the id). */
  status: 'implemented' | 'planned';
}

export const CATALOGUE: readonly CatalogueEntry[] = [
  { id: 'network/all-traffic-from-internet', severity: 'CRITICAL', status: 'implemented' },
  { id: 'network/ssh-from-internet', severity: 'HIGH', status: 'implemented' },
  { id: 'network/application-port-from-internet', severity: 'HIGH', status: 'implemented' },
  { id: 'network/other-port-from-internet', severity: 'MEDIUM', status: 'implemented' },
  { id: 'network/shared-managed-security-group', severity: 'LOW', status: 'implemented' },
  { id: 'network/cluster-manager-port-exposed', severity: 'MEDIUM', status: 'implemented' },
  { id: 'exposure/primary-node-public-ip', severity: 'HIGH', status: 'implemented' },
  { id: 'exposure/node-public-ip', severity: 'MEDIUM', status: 'implemented' },
  { id: 'exposure/internet-reachable-port', severity: 'CRITICAL', status: 'implemented' },
  { id: 'exposure/attack-path', severity: 'CRITICAL', status: 'implemented' },
  { id: 'exposure/block-public-access-disabled', severity: 'CRITICAL', status: 'implemented' },
  { id: 'encryption/no-security-configuration', severity: 'HIGH', status: 'implemented' },
  { id: 'encryption/at-rest-disabled', severity: 'HIGH', status: 'implemented' },
  { id: 'encryption/local-disk-unencrypted', severity: 'MEDIUM', status: 'implemented' },
  { id: 'encryption/s3-unencrypted', severity: 'MEDIUM', status: 'implemented' },
  { id: 'encryption/in-transit-disabled', severity: 'HIGH', status: 'implemented' },
  { id: 'authentication/no-authentication', severity: 'MEDIUM', status: 'implemented' },
  { id: 'instance/imdsv2-not-required', severity: 'MEDIUM', status: 'implemented' },
  { id: 'iam/instance-profile-admin', severity: 'CRITICAL', status: 'implemented' },
  { id: 'iam/instance-profile-deprecated-policy', severity: 'HIGH', status: 'implemented' },
  { id: 'iam/instance-profile-wildcard-data-access', severity: 'HIGH', status: 'implemented' },
  { id: 'iam/instance-profile-privilege-escalation', severity: 'HIGH', status: 'implemented' },
  { id: 'iam/instance-profile-missing-ssm-permissions', severity: 'MEDIUM', status: 'implemented' },
  { id: 'iam/service-role-deprecated-policy', severity: 'LOW', status: 'implemented' },
  { id: 'ssm/instance-not-managed', severity: 'MEDIUM', status: 'implemented' },
  { id: 'ssm/agent-not-online', severity: 'MEDIUM', status: 'implemented' },
  { id: 'secrets/plaintext-in-configurations', severity: 'HIGH', status: 'implemented' },
  { id: 'logging/no-log-uri', severity: 'LOW', status: 'implemented' },
  { id: 'lifecycle/outdated-release', severity: 'LOW', status: 'implemented' },
];
