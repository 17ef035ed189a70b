import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Scenario tests start processes, sockets and (later) VMs: generous limits, no timing asserts.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', ['json', { outputFile: 'tmp/vitest-report.json' }]],
  },
});
