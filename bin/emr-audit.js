#!/usr/bin/env node
// The `emr-audit` command. In a checkout it runs the TypeScript sources through tsx (a devDependency),
// so `npx emr-audit …` works right after `npm ci` and never runs a stale build. Installed from the
// packed tarball, where cli/ is not shipped, it runs the prebuilt bundle in dist-cli/ (made by
// `prepack`: scripts/build-cli.ts), which needs no dependency at all and starts faster.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

// The SDK's notice about Node 20 is noise for people running a command; they can still opt in.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `emr-audit scan | head` closes the pipe early: that is not an error worth a stack trace.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const { main, useCliHeapPolicy } = existsSync(new URL('../cli/main.ts', import.meta.url)) ? await fromSources() : await import('../dist-cli/main.mjs');

// A batch process beside other work: collect when the heap has grown by half, not fourfold (cli/heap-policy.ts).
useCliHeapPolicy();

async function fromSources() {
  // Loaded natively before tsx's loader hooks are installed, so their ~100 files skip the hooks'
  // round trips: it saves about a third of the start-up time.
  await Promise.all([import('zod'), import('ipaddr.js')]);
  const { register } = await import('tsx/esm/api');
  register();
  return import('../cli/main.ts');
}

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stdoutIsTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
  columns: process.stdout.columns,
});
