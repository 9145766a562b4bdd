import { TYPES, type ClusterCheck } from '../contract.js';

// STUB: metadata and evaluate to be completed.
export const check: ClusterCheck = {
  id: 'network/cluster-manager-port-exposed',
  title: 'Cluster manager port 8443 reachable from outside the cluster and its service access group',
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
