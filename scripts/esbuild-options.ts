/**
 * What the Lambda bundle and the CLI bundle share (TOOLING.md): ESM for Node with the SDK's `module`
 * builds (they tree-shake to about half the CJS size), a `require` for the CJS packages inside,
 * minified, licence texts in a linked LEGAL file.
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
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning',
} as const satisfies BuildOptions;
