/**
 * EMR headroom (./quotas.ts EMR_HEADROOM_SHARE has the why and the figure): when a region's run may
 * leave most of the account-wide EMR budget to the account's other EMR clients, and when it must
 * stop doing so. The Pacer (./pacing.ts) re-rates the bucket; this module decides, per region:
 *
 * - on from the region's first call for a scheduled or CLI run over the whole region whose state
 *   (from the previous run) holds clusters: a warm run, not in a hurry;
 * - off for a cold run (no valid state for the region, or one holding no cluster: everything is
 *   described, and fewest invocations wins), a continuation (it finishes a cold start), an
 *   on-demand or state-change event (someone waits; an event makes a handful of EMR calls anyway),
 *   and a run restricted to some clusters;
 * - dropped — the full documented quota again, in place, also for calls already waiting — as soon
 *   as the EMR calls the region knows it still has to make would not fit, at the headroom pace, in
 *   what is left of the time budget: it never makes the run slower than its budget allows, and
 *   never changes which calls are made.
 */
import type { AuditTrigger } from '../request.js';
import type { CollectionStats } from '../snapshot.js';
import type { RegionState } from '../state/schema.js';
import type { CallRunner } from './calls.js';
import { EMR_HEADROOM_SHARE } from './quotas.js';

/** What the collection is told about the run that asks for it. */
export interface RunKind {
  trigger: AuditTrigger;
  /** The run continues another that met its time budget. */
  continuation?: boolean;
}

export type HeadroomDecision = { on: true; share: number } | { on: false; reason: string };

/** Clusters per ListClusters page (EMR's fixed page size): the listing's calls, estimated from the state. */
const LIST_PAGE = 50;

/**
 * Time kept after the region's last EMR call in the fit estimate: what must follow it (the last
 * described cluster's instance profile, role and policies, its groups' and nodes' batches) is a few
 * dependent calls of other services. The deadline itself already holds the run's margin.
 */
export const HEADROOM_TAIL_MS = 5_000;

/** The decision at the start of a region's collection. */
export function headroomAtStart(input: { run?: RunKind; restricted: boolean; state?: RegionState; share?: number }): HeadroomDecision {
  const { run } = input;
  if (!run) return { on: false, reason: 'the caller did not say what kind of run this is' };
  if (run.continuation) return { on: false, reason: 'a continuation run (it finishes a cold start: fewest invocations wins)' };
  if (run.trigger === 'cluster-state-change') return { on: false, reason: 'a state-change event (it is waited for, and makes few EMR calls)' };
  if (run.trigger === 'change-event') return { on: false, reason: 'a change event (the finding should follow the change at once; it makes few EMR calls)' };
  if (run.trigger === 'on-demand') return { on: false, reason: 'an on-demand run (someone waits for it)' };
  if (input.restricted) return { on: false, reason: 'a run restricted to some clusters' };
  if (!input.state) return { on: false, reason: 'a cold run (no valid state for the region: every cluster is described)' };
  if (Object.keys(input.state.clusters).length === 0) return { on: false, reason: 'a cold run (the state holds no cluster: every cluster is described)' };
  return { on: true, share: input.share ?? EMR_HEADROOM_SHARE };
}

/** The decision in words: "on (18 % of the account's EMR rate)" or "off: why". */
export function headroomText(h: NonNullable<CollectionStats['emrHeadroom']>): string {
  return h.on ? `on (${percent(h.share ?? 0)} of the account's EMR rate)` : `off: ${h.reason ?? 'not used'}`;
}

const percent = (share: number): string => `${Number((100 * share).toFixed(1))} %`;

const seconds = (ms: number): string => `${Math.ceil(ms / 1000).toLocaleString('en-US')} s`;

/**
 * One region's headroom for the run: applies the decision to the pacer, counts the EMR calls the
 * region knows are still to come, and drops the headroom the moment they would not fit.
 */
export class EmrHeadroom {
  private state: HeadroomDecision;
  /** The share it ran at before it was dropped. */
  private droppedShare: number | undefined;
  /** EMR calls known to come and not yet made (answered or failed). */
  private outstanding = 0;
  private readonly startedAt: number;

  constructor(
    private readonly calls: CallRunner,
    private readonly scope: string,
    decision: HeadroomDecision,
    /** Told when the headroom is dropped. */
    private readonly onChange: (text: string) => void,
  ) {
    this.startedAt = calls.now();
    // Without a pacer nothing is paced: there is no budget to leave to anyone.
    this.state = decision.on && !calls.pacer ? { on: false, reason: 'calls are not paced' } : decision;
    if (this.state.on) calls.pacer?.setHeadroom(scope, 'emr-account', this.state.share);
  }

  get on(): boolean {
    return this.state.on;
  }

  /** For the snapshot's collection figures. */
  get stats(): NonNullable<CollectionStats['emrHeadroom']> {
    if (this.state.on) return { on: true, share: this.state.share };
    return { on: false, reason: this.state.reason, ...(this.droppedShare !== undefined ? { share: this.droppedShare } : {}) };
  }

  get text(): string {
    return headroomText(this.stats);
  }

  /** The listing's calls before it starts, estimated from the clusters the state holds. */
  static listingCalls(state: RegionState | undefined): number {
    return Math.max(1, Math.ceil(Object.keys(state?.clusters ?? {}).length / LIST_PAGE));
  }

  /** `n` more EMR calls are now known to come: still on only if they all fit at the headroom pace. */
  expect(n: number): void {
    this.outstanding += n;
    this.check();
  }

  /** `n` of the expected calls were made (answered or failed). */
  done(n: number): void {
    this.outstanding = Math.max(0, this.outstanding - n);
  }

  /** Expects `n` calls for `work` and counts them made when it settles. */
  async track<T>(n: number, work: () => Promise<T>): Promise<T> {
    this.expect(n);
    try {
      return await work();
    } finally {
      this.done(n);
    }
  }

  private check(): void {
    if (!this.state.on) return;
    const pacer = this.calls.pacer;
    if (!pacer) return;
    const rate = pacer.sharedRate(this.scope, 'emr-account').perSecond;
    const needMs = (this.outstanding / rate) * 1000;
    const leftMs = this.calls.remainingMs() - HEADROOM_TAIL_MS;
    if (needMs <= leftMs) return;
    const share = this.state.share;
    pacer.setHeadroom(this.scope, 'emr-account', undefined);
    this.droppedShare = share;
    const at = this.calls.now() - this.startedAt;
    this.state = {
      on: false,
      reason: `dropped after ${seconds(at)}: ${this.outstanding.toLocaleString('en-US')} EMR call(s) still to make need ~${seconds(needMs)} at ${percent(share)} of the account's EMR rate, ${seconds(Math.max(0, leftMs))} of the time budget remain`,
    };
    this.onChange(this.text);
  }
}
