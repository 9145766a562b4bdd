import type * as V8 from 'node:v8';
import { afterEach, describe, expect, it, vi } from 'vitest';

const setFlagsFromString = vi.fn();
vi.mock('node:v8', async (original) => ({ ...(await original<typeof V8>()), setFlagsFromString }));

afterEach(() => setFlagsFromString.mockClear());

describe('the CLI heap policy', () => {
  it('asks V8 to collect once the old generation has grown by half: a growth rate, never a limit on the heap', async () => {
    const { useCliHeapPolicy, CLI_HEAP_GROWING_PERCENT } = await import('../../cli/heap-policy.js');
    useCliHeapPolicy();
    expect(CLI_HEAP_GROWING_PERCENT).toBe(50);
    expect(setFlagsFromString.mock.calls).toEqual([['--heap-growing-percent=50']]);
    expect(setFlagsFromString.mock.calls.flat().join(' ')).not.toMatch(/max-old-space|max-heap/);
  });

  it('is not applied by main: a program that runs the CLI in-process keeps its own policy', async () => {
    const { main } = await import('../../cli/main.js');
    const out: string[] = [];
    const io = { stdout: { write: (t: string) => (out.push(t), true) }, stderr: { write: () => true }, env: {}, stdoutIsTTY: false, stderrIsTTY: false, columns: 100 };
    expect(await main(['checks'], io)).toBe(0);
    expect(out.join('')).toContain('iam/instance-profile-admin');
    expect(setFlagsFromString).not.toHaveBeenCalled();
  });
});
