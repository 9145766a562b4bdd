import { TYPES, type RegionCheck } from '../contract.js';

// STUB: metadata and evaluate to be completed.
export const check: RegionCheck = {
  id: 'exposure/block-public-access-disabled',
  title: 'EMR block public access is off or permits ports other than 22',
  severity: 'CRITICAL',
  scope: 'region',
  description: 'TODO',
  types: [TYPES.bestPractices],
  remediation: { text: 'TODO', url: 'TODO' },
  permissions: [],
  settings: [],
  evaluate(_ctx) {
    return [{ status: 'ERROR', message: 'not implemented' }];
  },
};
