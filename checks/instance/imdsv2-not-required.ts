import { TYPES, type ClusterCheck } from '../contract.js';

// STUB: metadata and evaluate to be completed.
export const check: ClusterCheck = {
  id: 'instance/imdsv2-not-required',
  title: 'IMDSv2 is not required on the cluster instances',
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
