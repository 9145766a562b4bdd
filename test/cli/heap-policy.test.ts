import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { CLI_HEAP_GROWING_PERCENT, useCliHeapPolicy } from '../../cli/heap-policy.js';

const BIN = fileURLToPath(new URL('../../bin/emr-audit.js', import.meta.url));

/** Preloaded into the command's process: reports every V8 flag it sets, then sets it. */
const RECORD_FLAGS = `
const v8 = require('node:v8');
const set = v8.setFlagsFromString;
v8.setFlagsFromString = (flags) => { process.stderr.write('v8 flags: ' + flags + '\\n'); set(flags); };
require('node:module').syncBuiltinESMExports();
`;

describe('the CLI heap policy', () => {
  it('asks V8 to collect once the old generation has grown by half: a growth rate, never a limit on the heap', () => {
    const setFlags = vi.fn();
    useCliHeapPolicy(setFlags);
    expect(CLI_HEAP_GROWING_PERCENT).toBe(50);
    expect(setFlags.mock.calls).toEqual([['--heap-growing-percent=50']]);
    expect(setFlags.mock.calls.flat().join(' ')).not.toMatch(/max-old-space|max-heap|semi-space/);
  });

  it('is applied by the command (bin/emr-audit.js) before it runs, and only that flag', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emr-audit-heap-'));
    try {
      const preload = join(dir, 'record-flags.cjs');
      writeFileSync(preload, RECORD_FLAGS);
      const run = spawnSync(process.execPath, ['--require', preload, BIN, '--version'], { encoding: 'utf8' });
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^emr-audit /);
      expect(run.stderr.split('\n').filter((line) => line.startsWith('v8 flags: '))).toEqual(['v8 flags: --heap-growing-percent=50']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is a flag this Node accepts (V8 prints "unrecognized flag" for one it does not know)', () => {
    const run = spawnSync(process.execPath, ['--heap-growing-percent=50', '-e', 'process.stdout.write("ok")'], { encoding: 'utf8' });
    expect(run.stderr).not.toMatch(/unrecognized|bad option/i);
    expect(run.stdout).toBe('ok');
  });
});
