import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    setupFiles: ['test/setup.ts'],
    testTimeout: 20_000,
    // Worker threads start faster than forked processes; no test changes the working directory.
    pool: 'threads',
  },
});
