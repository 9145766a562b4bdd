import { describe, expect, it } from 'vitest';
import { PHASE_PREFIX, RESULT_PREFIX } from '../../scripts/bench/result.js';
import { RunFailure, runWatched } from '../../scripts/bench/run-process.js';

/** A node process running `code`, watched with a real-time limit. */
const run = (code: string, limitMs = 60_000) => runWatched<{ ok: boolean }>({ args: ['-e', code], env: process.env, cwd: process.cwd(), label: 'test run', limitMs });

describe('a watched benchmark process', () => {
  it('returns its result line and the phases it announced', async () => {
    const out = await run(`process.stderr.write(${JSON.stringify(`${PHASE_PREFIX}one\n${PHASE_PREFIX}two\n`)}); console.log(${JSON.stringify(RESULT_PREFIX)} + JSON.stringify({ ok: true }));`);
    expect(out.result).toEqual({ ok: true });
    expect(out.phases.map((p) => p.name)).toEqual(['one', 'two']);
  });

  // The limit leaves a loaded machine's node start-up the time to reach the phase.
  it('says it killed a run at its time limit, and in which phase', async () => {
    const failure = await run(`process.stderr.write(${JSON.stringify(`${PHASE_PREFIX}slow part\n`)}); setInterval(() => undefined, 1000);`, 8_000).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RunFailure);
    expect((failure as Error).message).toMatch(/^test run: killed by the benchmark after 8 s, its time limit for one run .* in phase "slow part"/);
  }, 30_000);

  it('says a run exited without a result, with its code and last stderr lines', async () => {
    const failure = await run(`console.error('out of ideas'); process.exit(3);`).catch((e: unknown) => e);
    expect((failure as Error).message).toMatch(/exited with code 3 .* printed no result before it announced any phase[\s\S]*out of ideas/);
  });

  it('says a run was killed by a signal from elsewhere', async () => {
    const failure = await run(`process.kill(process.pid, 'SIGKILL');`).catch((e: unknown) => e);
    expect((failure as Error).message).toMatch(/killed by SIGKILL from outside the benchmark/);
  });
});
