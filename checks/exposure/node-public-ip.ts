import { TYPES, type ClusterCheck } from '../contract.js';

// STUB: metadata and evaluate to be completed.
export const check: ClusterCheck = {
  id: 'exposure/node-public-ip',
  title: 'Core or task node has a public IP address',
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
