/**
 * Worst first, in every report a person reads: "Fix first" lists the attack paths (CHECKS.md
 * `exposure/attack-path`: anyone on the internet runs code as the instance profile), then the
 * other CRITICAL FAILs; the cluster index ranks clusters by the same risk. Suppressed results are
 * not listed (the suppression sections show them). Pure: the table, HTML and JSON renderers and
 * the run summary all read these, so they always agree.
 */
import type { Result } from '../../checks/contract.js';

export const ATTACK_PATH_CHECK = 'exposure/attack-path';

/**
 * The results to fix first, in order: attack-path FAILs, then the other CRITICAL FAILs; within
 * each, in the order the engine produced them (region, catalogue order of the check, cluster).
 */
export function fixFirst(results: readonly Result[]): Result[] {
  const fails = results.filter((r) => r.status === 'FAIL');
  return [...fails.filter((r) => r.checkId === ATTACK_PATH_CHECK), ...fails.filter((r) => r.checkId !== ATTACK_PATH_CHECK && r.severity === 'CRITICAL')];
}

/** One cluster's risk, as the cluster index ranks it. */
export interface ClusterRisk {
  region: string;
  clusterId: string;
  clusterName: string;
  attackPaths: number;
  critical: number;
  high: number;
  /** FAILs of any severity. */
  fail: number;
  error: number;
  suppressed: number;
}

/**
 * Every cluster with a result, most at risk first: attack paths, then CRITICAL, then HIGH FAILs,
 * then any FAIL, then ERRORs (what could not be judged may be as bad); ties by name and id.
 */
export function rankClusters(results: readonly Result[]): ClusterRisk[] {
  const byCluster = new Map<string, ClusterRisk>();
  for (const r of results) {
    if (r.clusterId === null) continue;
    const key = `${r.region}\u0000${r.clusterId}`;
    let risk = byCluster.get(key);
    if (!risk) {
      risk = { region: r.region, clusterId: r.clusterId, clusterName: r.clusterName ?? r.clusterId, attackPaths: 0, critical: 0, high: 0, fail: 0, error: 0, suppressed: 0 };
      byCluster.set(key, risk);
    }
    if (r.status === 'FAIL') {
      risk.fail += 1;
      if (r.checkId === ATTACK_PATH_CHECK) risk.attackPaths += 1;
      if (r.severity === 'CRITICAL') risk.critical += 1;
      if (r.severity === 'HIGH') risk.high += 1;
    } else if (r.status === 'ERROR') risk.error += 1;
    else if (r.status === 'SUPPRESSED') risk.suppressed += 1;
  }
  return [...byCluster.values()].sort(
    (a, b) =>
      b.attackPaths - a.attackPaths ||
      b.critical - a.critical ||
      b.high - a.high ||
      b.fail - a.fail ||
      b.error - a.error ||
      a.clusterName.localeCompare(b.clusterName) ||
      a.clusterId.localeCompare(b.clusterId),
  );
}

/** `analytics-prod (j-…, us-east-1)` or `account settings (us-east-1)`. */
export function whereText(r: Pick<Result, 'clusterId' | 'clusterName' | 'region'>): string {
  return r.clusterId === null ? `account settings (${r.region})` : `${r.clusterName ?? r.clusterId} (${r.clusterId}, ${r.region})`;
}

/** The first sentence of a message (up to the first ". " or ": "), for one-line lists. */
export function headline(message: string): string {
  const flat = message.replace(/\s+/g, ' ').trim();
  const colon = flat.indexOf(': ');
  const stop = flat.search(/\.(\s|$)/);
  const ends = [colon, stop].filter((i) => i > 0);
  return ends.length > 0 ? flat.slice(0, Math.min(...ends)) : flat;
}
