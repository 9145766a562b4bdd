/**
 * Fleet churn between the benchmark's cold and warm runs (issue 12): 5 % of the active clusters
 * terminate, 5 % new ones appear (held back from the cold run), 2 % get a changed security-group
 * rule, one suppression tag is added and one removed. Mutates the simulated account in place.
 */
import { ACTIVE_STATES, buildAccount, type SimAccount, type SimCluster, type SimEc2Instance, type SimSsmInstance } from './account.js';

export const SUPPRESS_TAG = 'emr-audit:suppress';
const SUPPRESSED_CHECK = 'logging/no-log-uri';

export interface HeldBack {
  clusters: SimCluster[];
  ec2: Array<[string, SimEc2Instance]>;
  ssm: Array<[string, SimSsmInstance]>;
}

export interface ChurnSummary {
  terminated: string[];
  added: string[];
  changedRule: string[];
  suppressionAdded: string;
  suppressionRemoved: string;
}

const active = (a: SimAccount): SimCluster[] => a.clusters.filter((c) => ACTIVE_STATES.includes(c.state));
const ec2IdsOf = (c: SimCluster): string[] => c.instances.flatMap((i) => (i.ec2Id ? [i.ec2Id] : []));

/** Takes `count` of the newest active clusters out of the account: they will be "new" after the cold run. */
export function holdBack(account: SimAccount, count: number): HeldBack {
  const clusters = active(account).slice(0, count);
  const ids = new Set(clusters.map((c) => c.id));
  account.clusters = account.clusters.filter((c) => !ids.has(c.id));
  const nodeIds = clusters.flatMap(ec2IdsOf);
  const ec2 = nodeIds.flatMap((id): Array<[string, SimEc2Instance]> => {
    const i = account.ec2Instances.get(id);
    return i ? [[id, i]] : [];
  });
  const ssm = nodeIds.flatMap((id): Array<[string, SimSsmInstance]> => {
    const i = account.ssmInstances.get(id);
    return i ? [[id, i]] : [];
  });
  for (const id of nodeIds) {
    account.ec2Instances.delete(id);
    account.ssmInstances.delete(id);
  }
  return { clusters, ec2, ssm };
}

/** Before the cold run: one cluster carries a suppression tag (the churn removes it). */
export function tagBeforeCold(account: SimAccount): string {
  const c = active(account).at(-1)!;
  c.tags[SUPPRESS_TAG] = SUPPRESSED_CHECK;
  return c.id;
}

/** The account of the cold run at N (5 % held back for the churn, one suppression tag set): the same in every process. */
export function coldAccount(n: number, seed: number, region: string): { account: SimAccount; held: HeldBack; taggedBeforeCold: string } {
  const heldCount = Math.max(1, Math.round(n * CHURN_RATE));
  const account = buildAccount({ n: n + heldCount, seed, region });
  const held = holdBack(account, heldCount);
  return { account, held, taggedBeforeCold: tagBeforeCold(account) };
}

/** Terminated and new clusters between the cold and the warm run, as a share of the active ones. */
export const CHURN_RATE = 0.05;

export function churn(account: SimAccount, held: HeldBack, tagged: string, rate: { terminate: number; rule: number }): ChurnSummary {
  const before = active(account);
  const n = before.length;
  const terminated = before.slice(-Math.max(1, Math.round(n * rate.terminate)) - 1, -1);
  for (const c of terminated) {
    c.state = 'TERMINATED';
    c.endedAt = account.now;
    for (const i of c.instances) i.state = 'TERMINATED';
    for (const id of ec2IdsOf(c)) {
      account.ec2Instances.delete(id);
      account.ssmInstances.delete(id);
    }
  }
  account.clusters.unshift(...held.clusters);
  for (const [id, i] of held.ec2) account.ec2Instances.set(id, i);
  for (const [id, i] of held.ssm) account.ssmInstances.set(id, i);

  const live = active(account);
  const changed = live.slice(held.clusters.length, held.clusters.length + Math.max(1, Math.round(n * rate.rule)));
  for (const c of changed) {
    // A group of its own would not be shared: the change is on the cluster's master group, as an
    // operator opening SSH to the world would make it.
    account.securityGroups.get(c.masterSg)?.ingress.push({ protocol: 'tcp', fromPort: 22, toPort: 22, cidr4: ['0.0.0.0/0'], description: `churn ${c.id}` });
  }
  const taggedCluster = account.clusters.find((c) => c.id === tagged);
  if (taggedCluster) delete taggedCluster.tags[SUPPRESS_TAG];
  const newlyTagged = live.find((c) => c.id !== tagged && !terminated.includes(c) && !held.clusters.includes(c))!;
  newlyTagged.tags[SUPPRESS_TAG] = SUPPRESSED_CHECK;
  return {
    terminated: terminated.map((c) => c.id),
    added: held.clusters.map((c) => c.id),
    changedRule: changed.map((c) => c.id),
    suppressionAdded: newlyTagged.id,
    suppressionRemoved: tagged,
  };
}
