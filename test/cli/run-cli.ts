/** Runs the CLI in-process with fake streams and environment. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { main, type CliIo } from '../../cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Non-empty stderr lines. */
  stderrLines: string[];
}

export type RunOptions = Partial<Omit<CliIo, 'stdout' | 'stderr'>>;

export async function runCli(argv: string[], options: RunOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    stdoutIsTTY: false,
    stderrIsTTY: false,
    configuredRegion: () => Promise.resolve(undefined),
    ...options,
  });
  return { code, stdout, stderr, stderrLines: stderr.split('\n').filter((l) => l.trim() !== '') };
}

const created: string[] = [];
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory for files a test writes, removed when the test file ends. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'emr-audit-cli-'));
  created.push(dir);
  return dir;
}

export function writeJson(dir: string, name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

// eslint-disable-next-line no-control-regex
export const ANSI = /\u001b\[[0-9;]*m/;
