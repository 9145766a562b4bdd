/** What one benchmark run (scripts/bench/child.ts) reports to the parent, as one JSON line. */
import type { LowerBound } from './expected.js';
import type { ImportFigures } from './imports.js';
import type { InvocationSummary } from './simulator.js';

export const RESULT_PREFIX = 'BENCH_RESULT ';
/** The simulator process of the memory run prints this and its URL once it listens. */
export const LISTENING_PREFIX = 'SIM_LISTENING ';

/** The memory run's figures (scripts/bench/memory-child.ts). */
export interface MemoryRunResult {
  /** Peak RSS of the product's process over the whole run, MB. */
  peakRssMb: number;
  phases: MemoryPhase[];
  clusters: number;
  results: number;
  plannedImports: number;
  collectionErrors: number;
  /** Real seconds of the run (model time runs ×timeScale while idle). */
  realSeconds: number;
  timeScale: number;
}


export interface ApiRow {
  api: string;
  ok: number;
  throttled: number;
  errors: Record<string, number>;
  minimum: number;
  naive: number;
  peakInFlight: number;
  /** Model seconds from the start of collection. */
  firstAt?: number;
  lastAt?: number;
}

/** One run of the fleet-scale sequence (issue 12): cold (no state), warm (after churn), one event. */
export interface FleetRun {
  label: string;
  apis: { api: string; calls: number; minimum: number }[];
  modelSeconds: number;
  /** The lower bound of the run's minimum calls (model seconds). */
  boundSeconds: number;
  /** DescribeCluster calls ÷ its refill (1/s) after the burst: the bound of a cold run's descriptions. */
  describeBoundSeconds: number;
  emrCalls: number;
  /** EMR calls ÷ the tokens the account-wide EMR bucket holds and refills during the run. */
  emrShare: number;
  nodeFallbacks: number;
  tagFallbacks: number;
  /** The run's EMR headroom as the snapshot reports it (lib/collect/headroom.ts); absent when it does not say. */
  emrHeadroom?: { on: boolean; share?: number; reason?: string };
  /** Lambda invocations of 900 s (less the 60 s margin) the run's model wall time needs. */
  invocations: number;
  /** Results equal those of a fresh full audit of the same account (warm runs). */
  equalsFullAudit?: boolean;
  mismatches?: string[];
  peakRssMb: number;
}

export interface ChildResult {
  n: number;
  seed: number;
  timeScale: number;
  /** Security Hub imports per run: cold, then warm runs with no change (scripts/bench/imports.ts). */
  imports?: ImportFigures;
  /** Set by the parent: real seconds of the whole run and when each phase began. */
  realSeconds?: number;
  realPhases?: Array<{ name: string; at: number }>;
  fleet?: FleetRun[];
  churn?: { terminated: number; added: number; changedRule: number; suppressionAdded: string; suppressionRemoved: string };
  account: {
    active: number;
    terminated: number;
    instancesListed: number;
    runningInstances: number;
    securityGroups: number;
    securityConfigurations: number;
    instanceProfiles: number;
    roles: number;
    managedPolicies: number;
  };
  neededApis: string[];
  apis: ApiRow[];
  invocations: InvocationSummary;
  /** Collection time: model seconds, real seconds, and real seconds the event loop was busy (CPU). */
  wall: { modelSeconds: number; realSeconds: number; busySeconds: number };
  bound: LowerBound;
  collectionErrors: { total: number; byKindAndCode: { kind: string; code: string; api: string; count: number }[] };
  snapshot: { clusters: number; described: number; withInstances: number; secretsFound: string[]; valid: boolean; invalidReason?: string };
  rss: {
    /** RSS when the run starts (code loaded, nothing built). */
    startMb: number;
    /** Heap taken by the simulated account and the simulator (not the product's). */
    modelMb: number;
    /** RSS just before collecting (code + model + clients). */
    baselineMb: number;
    /** Peak RSS up to the end of collection. */
    collectionPeakMb: number;
    /** Live heap right after collection (after a GC): code, model, clients, snapshot. */
    liveAfterCollectionMb: number;
    /** The snapshot serialised as JSON. */
    snapshotJsonMb: number;
    /** Peak RSS of the whole run (evaluation included). */
    peakMb: number;
    /** Memory at phase boundaries, in order (see scripts/bench/child.ts `mark`). */
    phases?: MemoryPhase[];
    /** Peak RSS of the product's work (collection, then one evaluateSnapshot), before the benchmark's own checks. */
    productPeakMb?: number;
    /** Live heap released when the simulated account, the simulator and its clients are dropped (measured after collection). */
    simulatorHeapMb?: number;
  };
  evaluation: EvaluationFigures;
  /** The memory run (product and simulated account in two processes): the product's own peak RSS. */
  memoryRun?: MemoryRunResult;
  memoryRunFailure?: string;
  timedOut?: boolean;
  failure?: string;
}

export interface EvaluationFigures {
  /** Full evaluateSnapshot runs timed (0 when sampled). */
  reps: number;
  clustersPerSecond: number;
  /** Results of one full run, or of the evaluated sample. */
  results: number;
  byStatus: Record<string, number>;
  /** Too slow for full runs within the budget: clusters evaluated in slices (`clusterIds`). */
  sampled?: { clusters: number; estimatedFullRunSeconds: number };
  /** Slowest checks over one slice of clusters (ms per cluster). */
  slowestChecks: { id: string; msPerCluster: number }[];
}

/** process.memoryUsage() at a phase boundary, MB; maxRss is the high-water mark so far. */
export interface MemoryPhase {
  name: string;
  rssMb: number;
  maxRssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
}

/**
 * A run announces each phase on stderr with this prefix: a run the parent has to kill is then
 * reported with the phase it was in and how long each phase took, not as a bare exit code.
 */
export const PHASE_PREFIX = 'BENCH_PHASE ';

/** Announces the start of a phase of this run (to the parent, on stderr). */
export function announcePhase(name: string): void {
  process.stderr.write(`${PHASE_PREFIX}${name}\n`);
}
