/**
 * A state entry kept before emr-audit read a cluster's applications and configuration credentials
 * lacks facts the attack-path and secrets checks need: the cluster is described once more, never
 * read as "no applications" or "no credentials".
 */
import { describe, expect, it } from 'vitest';
import { emptyState, type RegionState } from '../../lib/state/schema.js';
import { knownFacts } from '../../lib/state/view.js';

const summary = { Id: 'j-1', Name: 'etl' };
function stateWith(facts: Record<string, unknown>): RegionState {
  const state = emptyState('123456789012', 'us-east-1', '2026-11-23T00:00:00Z');
  state.clusters['j-1'] = { facts: { id: 'j-1', name: 'etl', ...facts }, describedAt: '2026-11-23T00:00:00Z' };
  return state;
}

describe('state entries written before applications and configuration credentials were kept', () => {
  it('are not used: the cluster is described again', () => {
    expect(knownFacts(stateWith({}), summary)).toBeUndefined();
    expect(knownFacts(stateWith({ applications: ['Livy'] }), summary)).toBeUndefined();
  });
  it('entries with both are used', () => {
    expect(knownFacts(stateWith({ applications: ['Livy'], configurationCredentials: [] }), summary)?.facts.applications).toEqual(['Livy']);
  });
});
