import { describe, expect, it, vi } from 'vitest';
import { CLI_HEAP_GROWING_PERCENT, useCliHeapPolicy } from '../../cli/heap-policy.js';

describe('the CLI heap policy', () => {
  it('asks V8 to collect once the old generation has grown by half: a growth rate, never a limit on the heap', () => {
    const setFlags = vi.fn();
    useCliHeapPolicy(setFlags);
    expect(CLI_HEAP_GROWING_PERCENT).toBe(50);
    expect(setFlags.mock.calls).toEqual([['--heap-growing-percent=50']]);
    expect(setFlags.mock.calls.flat().join(' ')).not.toMatch(/max-old-space|max-heap|semi-space/);
  });

  it('is a flag this Node accepts (V8 prints "unrecognized flag" for one it does not know)', async () => {
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync(process.execPath, ['--heap-growing-percent=50', '-e', 'process.stdout.write("ok")'], { encoding: 'utf8' });
    expect(run.stderr).not.toMatch(/unrecognized|bad option/i);
    expect(run.stdout).toBe('ok');
  });
});
