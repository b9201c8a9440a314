import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/temp-root.ts'],
    // live-capture tests start processes in network namespaces; give them room on a 2-core machine
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
