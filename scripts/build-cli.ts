/**
 * Build the installable CLI: cli/main.ts and everything it loads (checks, collectors, renderers,
 * the AWS SDK, zod) bundled by esbuild into dist-cli/, run by bin/emr-audit.js outside a checkout.
 * `npm pack` runs it (package.json `prepack`), so the tarball needs no dependency, no tsx and no
 * TypeScript at run time: `npm install -g emr-audit-*.tgz` works offline.
 *
 * Code splitting keeps the lazy imports lazy: `emr-audit checks` or `scan --demo` never load the
 * SDK, `--format json` never loads the HTML renderer. The output stays one directory below the
 * package root, where cli/ was, so `new URL('../examples/…', import.meta.url)` still resolves.
 *   node --import tsx scripts/build-cli.ts
 */
import { rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { NODE_BUNDLE_OPTIONS } from './esbuild-options.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_OUT_DIR = join(ROOT, 'dist-cli');
export const CLI_ENTRY_NAME = 'main.mjs';

export async function bundleCli(outDir: string = CLI_OUT_DIR): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  await build({
    ...NODE_BUNDLE_OPTIONS,
    entryPoints: { main: join(ROOT, 'cli', 'main.ts') },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    // Chunks beside main.mjs, one level below the root (see above).
    chunkNames: '[name]-[hash]',
    splitting: true,
    // package.json engines: the CLI runs where the checkout does (Node ≥ 20.12).
    target: 'node20',
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await bundleCli();
  console.log(`CLI bundle written to ${CLI_OUT_DIR}`);
}
