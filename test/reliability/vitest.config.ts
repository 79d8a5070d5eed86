import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

/**
 * `npm run test:reliability`: load, faults and hostile input (test/reliability/*.reliability.ts).
 * Kept out of `npm test` (its files do not end in .test.ts) because these tests want the machine:
 * storms of thousands of events, servers restarted under load. CI runs both commands.
 */
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/reliability/**/*.reliability.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two files at a time (vitest's default on 2 cores is one): the long ones mostly wait on killed
    // workers, restarted servers and the redelivery schedule, and overlap well.
    maxWorkers: 2,
  },
})
