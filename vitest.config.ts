// Two projects: `main` (unit, integration, e2e, release) and `leak`, which checks every stderr byte the main
// suite recorded for issued tokens. `leak` has a later sequence.groupOrder, so a plain `vitest run`
// runs it only after `main` has finished; `vitest run --project main && vitest run --project leak`
// does the same in two invocations.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'main',
          include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/release/**/*.test.ts'],
          exclude: ['test/leak/**', '**/node_modules/**'],
          // Empties .tmp/leak-check, so the leak check sees only this run.
          globalSetup: ['test/support/global-setup.ts'],
          // Integration and e2e tests start a provider, an API server and subprocesses.
          testTimeout: 60_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'leak',
          include: ['test/leak/**/*.test.ts'],
          testTimeout: 60_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
