import { TYPES, type ClusterCheck } from '../contract.js';

// STUB: metadata and evaluate to be completed.
export const check: ClusterCheck = {
  id: 'iam/instance-profile-missing-ssm-permissions',
  title: 'Instance profile role lacks the permissions for SSM Session Manager',
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
