/**
 * One benchmark process, watched: its result line, the phases it announces (result.ts
 * PHASE_PREFIX) with the real time each took, and — when it ends without a result — a sentence
 * that says why: killed by the benchmark's own time limit (in which phase, after how long), killed
 * by a signal from elsewhere (the kernel's OOM killer sends SIGKILL too), or exited with a code.
 */
import { spawn } from 'node:child_process';
import { PHASE_PREFIX, RESULT_PREFIX } from './result.js';

export interface WatchedRun {
  /** The process's arguments after the node executable. */
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** What the run is, for messages ("benchmark run N=1000"). */
  label: string;
  /** Real milliseconds after which the run is killed. */
  limitMs: number;
}

export interface Phase {
  name: string;
  /** Real seconds since the process started. */
  at: number;
}

export class RunFailure extends Error {
  override name = 'RunFailure';
  constructor(
    message: string,
    readonly phases: readonly Phase[],
  ) {
    super(message);
  }
}

/** The JSON of the run's result line; rejects with a RunFailure that says why there is none. */
export function runWatched<T>(run: WatchedRun): Promise<{ result: T; phases: Phase[]; seconds: number; stderr: string }> {
  const started = performance.now();
  const seconds = (): number => (performance.now() - started) / 1000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, run.args, { cwd: run.cwd, env: run.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    const phases: Phase[] = [];
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith(PHASE_PREFIX)) phases.push({ name: line.slice(PHASE_PREFIX.length).trim(), at: seconds() });
        else stderr += `${line}\n`;
      }
    });
    let killedByLimit = false;
    const timer = setTimeout(() => {
      killedByLimit = true;
      child.kill('SIGKILL');
    }, run.limitMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (pending) stderr += pending;
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (line) {
        resolve({ result: JSON.parse(line.slice(RESULT_PREFIX.length)) as T, phases, seconds: seconds(), stderr });
        return;
      }
      const tail = stderr.trim().split('\n').slice(-15).join('\n');
      reject(new RunFailure(`${run.label}: ${why({ killedByLimit, limitMs: run.limitMs, code, signal, phases, seconds: seconds() })}${tail ? `\nlast lines of its stderr:\n${tail}` : ''}`, phases));
    });
  });
}

function why(end: { killedByLimit: boolean; limitMs: number; code: number | null; signal: NodeJS.Signals | null; phases: readonly Phase[]; seconds: number }): string {
  const current = end.phases.at(-1);
  const where = current ? ` in phase "${current.name}" (entered at ${current.at.toFixed(1)} s)` : ' before it announced any phase';
  const timeline = end.phases.length > 0 ? `; phases (real s since start): ${end.phases.map((p) => `${p.name} ${p.at.toFixed(1)}`).join(', ')}` : '';
  if (end.killedByLimit) {
    return `killed by the benchmark after ${(end.limitMs / 1000).toFixed(0)} s, its time limit for one run (real time, not model time: the machine was too slow or too loaded for this N, or the run hung)${where}${timeline}`;
  }
  if (end.signal) {
    return `killed by ${end.signal} from outside the benchmark after ${end.seconds.toFixed(1)} s${where} (SIGKILL is what the kernel's out-of-memory killer sends: see dmesg)${timeline}`;
  }
  return `exited with code ${String(end.code)} after ${end.seconds.toFixed(1)} s and printed no result${where}${timeline}`;
}
