/**
 * Build for deployment: the Lambda bundle (dist/audit.mjs) and the role statements
 * (dist/iam-statements.json) that serverless.yml reads. Run before `osls package|deploy`:
 *   node --import tsx scripts/build.ts [--sourcemap] [--skip-bundle]
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { NODE_BUNDLE_OPTIONS } from './esbuild-options.js';
import { auditActions, buildRoleStatements } from '../lib/permissions.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const HANDLER_ENTRY = join(ROOT, 'functions', 'audit.ts');
export const BUNDLE_NAME = 'audit.mjs';
export const IAM_STATEMENTS_NAME = 'iam-statements.json';

export interface BundleReport {
  file: string;
  bytes: number;
  gzipBytes: number;
}

/** Bundle the handler with the AWS SDK included (TOOLING.md: smaller and faster to start than external). */
export async function bundleHandler(options: { entry?: string; outDir: string; sourcemap?: boolean }): Promise<BundleReport> {
  const entry = options.entry ?? HANDLER_ENTRY;
  if (!existsSync(entry)) throw new Error(`Lambda handler ${relative(ROOT, entry)} not found`);
  const outfile = join(options.outDir, BUNDLE_NAME);
  await build({
    ...NODE_BUNDLE_OPTIONS,
    entryPoints: [entry],
    outfile,
    target: 'node22',
    sourcemap: options.sourcemap ? 'linked' : false,
  });
  const code = await readFile(outfile);
  return { file: outfile, bytes: code.length, gzipBytes: gzipSync(code).length };
}

/** Write the role statements serverless.yml reads with `${file(./dist/iam-statements.json)}`. */
export async function writeIamStatements(outDir: string): Promise<string> {
  const file = join(outDir, IAM_STATEMENTS_NAME);
  await mkdir(outDir, { recursive: true });
  await writeFile(file, `${JSON.stringify(buildRoleStatements({ publish: true, deployment: true }), null, 2)}\n`);
  return file;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}

async function main(argv: string[]): Promise<void> {
  const known = new Set(['--sourcemap', '--skip-bundle']);
  const unknown = argv.filter((a) => !known.has(a));
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(' ')} (known: ${[...known].join(', ')})`);
  const outDir = join(ROOT, 'dist');
  await rm(outDir, { recursive: true, force: true });
  const statements = await writeIamStatements(outDir);
  console.log(`${relative(ROOT, statements)}: ${auditActions({ publish: true }).length} actions`);
  if (argv.includes('--skip-bundle')) return;
  const report = await bundleHandler({ outDir, sourcemap: argv.includes('--sourcemap') });
  console.log(`${relative(ROOT, report.file)} ${kib(report.bytes)} (${kib(report.gzipBytes)} gzipped)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(`build failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  });
}
