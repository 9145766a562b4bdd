/** Helpers of the deployment tests: fake checks, and running osls/node in a child process. */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClusterCheck } from '../../checks/contract.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const OSLS_BIN = join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js');

/** A check that only carries the permissions a test is about. */
export function makeCheck(id: string, permissions: string[]): ClusterCheck {
  return {
    id,
    title: `Test check ${id}`,
    severity: 'LOW',
    scope: 'cluster',
    description: 'A check for permission tests.',
    types: ['Software and Configuration Checks/AWS Security Best Practices'],
    remediation: { text: 'Nothing to do.', url: 'https://docs.aws.amazon.com/emr/' },
    permissions,
    settings: [],
    evaluate: () => [],
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: options.cwd, env: options.env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * An environment for osls with no real credentials or profile: packaging must work offline. HOME
 * is a stable temporary directory so osls's compiled config-schema cache survives between runs
 * (cold: ~4 s per package, warm: ~1.5 s).
 */
export function offlineEnv(): Record<string, string> {
  const home = join(tmpdir(), 'emr-audit-test-osls-home');
  mkdirSync(home, { recursive: true });
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'secret-test',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    NO_COLOR: '1',
  };
}
