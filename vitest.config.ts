import { configDefaults, defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Those run inside workerd, with their own config (vitest.workers.config.ts).
    exclude: [...configDefaults.exclude, 'test/workers/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one fork per core but one: on a 2-core CI machine, a single fork ran the
    // files one after another (11 min), while most of them wait on timers, sockets and child
    // processes rather than compute.
    maxWorkers: 3,
  },
})
