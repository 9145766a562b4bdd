import { TYPES, type ClusterCheck } from '../contract.js';

// STUB: metadata and evaluate to be completed.
export const check: ClusterCheck = {
  id: 'authentication/no-authentication',
  title: 'Cluster has no authentication (Kerberos, Identity Center, LDAP) and no runtime roles',
  severity: 'MEDIUM',
  scope: 'cluster',
  description: 'TODO',
  types: [TYPES.bestPractices],
  remediation: { text: 'TODO', url: 'TODO' },
  permissions: [],
  settings: [],
  evaluate(_cluster, _ctx) {
    return [{ status: 'ERROR', message: 'not implemented' }];
  },
};
