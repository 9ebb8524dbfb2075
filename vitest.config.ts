import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts', 'test/**/*.test.tsx'],
    globalSetup: ['test/bundle-setup.ts', 'test/kafka/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // End-to-end tests spawn the CLI; two cores do not gain from more workers.
    maxWorkers: 2,
  },
})
