// Test tiers are named by file suffix: *.unit.spec.ts (no I/O), *.int.spec.ts (real PostgreSQL
// and Kafka), *.e2e.spec.ts (the four services running as processes).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{packages,services}/*/src/**/*.unit.spec.ts', 'bench/**/*.unit.spec.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['{packages,services}/*/src/**/*.int.spec.ts', 'infra/**/*.int.spec.ts'],
          globalSetup: ['packages/testing/src/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.spec.ts'],
          globalSetup: ['packages/testing/src/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
