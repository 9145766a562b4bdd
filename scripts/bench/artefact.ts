/**
 * The Lambda artefact: build it with the deployment's own build script (when there is one), then
 * measure the bundle's size and its cold import time in fresh Node processes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface ArtefactResult {
  built: boolean;
  /** Why there is no measurement ("not built" when no build script exists). */
  note?: string;
  buildCommand?: string;
  buildSeconds?: number;
  path?: string;
  bytes?: number;
  gzipBytes?: number;
  /** Median over fresh processes: the `import()` alone, and the whole `node` process. */
  coldImportMs?: number;
  coldProcessMs?: number;
  /** `node -e ""`: Node's own start-up, for reference. */
  nodeStartupMs?: number;
  runs?: number;
}

const BUNDLE = join('dist', 'audit.mjs');
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

function buildCommand(root: string): { cmd: string; args: string[] } | undefined {
  if (existsSync(join(root, 'scripts', 'build.ts'))) return { cmd: process.execPath, args: ['--import', 'tsx', join('scripts', 'build.ts')] };
  for (const f of ['build.mjs', 'build.js']) if (existsSync(join(root, 'scripts', f))) return { cmd: process.execPath, args: [join('scripts', f)] };
  return undefined;
}

/** Dummy AWS settings: importing the handler must not need (or find) real credentials. */
function isolatedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('AWS_')) delete env[k];
  return {
    ...env,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAEMRAUDITBENCH000',
    AWS_SECRET_ACCESS_KEY: 'bench-not-a-real-secret-key',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

export function measureArtefact(root: string, runs = 5): ArtefactResult {
  const build = buildCommand(root);
  if (!build) return { built: false, note: 'not built (no scripts/build.* in the checkout)' };
  const env = isolatedEnv();
  const started = performance.now();
  const out = spawnSync(build.cmd, build.args, { cwd: root, env, encoding: 'utf8', timeout: 180_000 });
  const buildSeconds = (performance.now() - started) / 1000;
  const buildCommandText = `node ${build.args.join(' ')}`;
  if (out.status !== 0) {
    const why = (out.stderr || out.stdout || String(out.error ?? '')).trim().split('\n').slice(-3).join(' | ');
    return { built: false, note: `build failed (${buildCommandText}): ${why}`, buildCommand: buildCommandText, buildSeconds };
  }
  const path = join(root, BUNDLE);
  if (!existsSync(path)) return { built: false, note: `the build did not produce ${BUNDLE}`, buildCommand: buildCommandText, buildSeconds };
  const bytes = statSync(path).size;
  const gzipBytes = gzipSync(readFileSync(path), { level: 9 }).length;

  const url = pathToFileURL(path).href;
  const probe = `const t0 = performance.now(); await import(${JSON.stringify(url)}); process.stdout.write(String(performance.now() - t0));`;
  const importMs: number[] = [];
  const processMs: number[] = [];
  const startupMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
    processMs.push(performance.now() - t);
    if (r.status !== 0) {
      const why = (r.stderr || String(r.error ?? '')).trim().split('\n').slice(-2).join(' | ');
      return { built: true, buildCommand: buildCommandText, buildSeconds, path: BUNDLE, bytes, gzipBytes, note: `importing the bundle failed: ${why}` };
    }
    importMs.push(Number(r.stdout));
    const s = performance.now();
    spawnSync(process.execPath, ['--input-type=module', '-e', ''], { cwd: root, env, timeout: 60_000 });
    startupMs.push(performance.now() - s);
  }
  return {
    built: true,
    buildCommand: buildCommandText,
    buildSeconds,
    path: BUNDLE,
    bytes,
    gzipBytes,
    coldImportMs: median(importMs),
    coldProcessMs: median(processMs),
    nodeStartupMs: median(startupMs),
    runs,
  };
}
