/**
 * What the Lambda bundle and the CLI bundle share (TOOLING.md): ESM for Node with the SDK's `module`
 * builds (they tree-shake to about half the CJS size), a `require` for the CJS packages inside,
 * whitespace and syntax minified, licence texts in a linked LEGAL file.
 *
 * Identifiers are not minified: measured (the benchmark's memory run, Node 20), the bundle with
 * short identifiers is smaller (dist/audit.mjs 1.8 MB instead of 2.6 MB) but its process holds about 20 MB more RSS once the
 * modules are loaded (126 MB against 105), the largest single part of the function's peak at
 * 1,000 clusters. The zip is what Lambda stores; memory is what every invocation pays.
 */
import type { BuildOptions } from 'esbuild';

/** Without it the first SDK call fails with `Dynamic require of "node:https"`. */
const REQUIRE_BANNER = "import { createRequire as __emrAuditCreateRequire } from 'node:module'; const require = __emrAuditCreateRequire(import.meta.url);";

export const NODE_BUNDLE_OPTIONS = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  mainFields: ['module', 'main'],
  banner: { js: REQUIRE_BANNER },
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'linked',
  logLevel: 'warning',
} as const satisfies BuildOptions;
