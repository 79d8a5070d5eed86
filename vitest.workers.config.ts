import { cloudflareTest } from '@cloudflare/vitest-pool-workers'
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config'
import { FEISHU_APP } from './test/workers/feishu-tenant.js'
import { workerdRequireResolution } from './test/workers/workerd-require-resolution.js'

// Runs offline: no metrics, no cf.json download.
process.env.WRANGLER_SEND_METRICS = 'false'
process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false'

const MYSQL_TESTS = 'test/workers/mysql/**/*.test.ts'

/**
 * The real worker (wrangler.toml, server/worker.ts) inside workerd, via Miniflare, once per kind of
 * database a deployment can have: `database` is null for the Durable Object's own storage, or
 * `'hyperdrive'` for MySQL through a Hyperdrive binding to the scratch MariaDB database.
 */
function workerdProject(name: string, include: string[], exclude: string[], database: 'hyperdrive' | null, globalSetup: string[]): TestProjectInlineConfiguration {
  return {
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: {
            FEISHU_APP_ID: FEISHU_APP.appId,
            FEISHU_APP_SECRET: FEISHU_APP.appSecret,
            FEISHU_VERIFICATION_TOKEN: FEISHU_APP.verificationToken,
            FEISHU_ENCRYPT_KEY: FEISHU_APP.encryptKey,
            FEISHU_DOMAIN: inject('feishuUrl'),
            APP_SECRET_KEY: 'workers-test-app-secret-key-0123456789abcdef',
            DEV_MODE: '1',
          },
          ...(database === 'hyperdrive' ? { hyperdrives: { HYPERDRIVE: inject('hyperdriveUrl') } } : {}),
        },
      })),
    ],
    test: {
      name,
      include,
      exclude,
      globalSetup: ['test/workers/fake-feishu-setup.ts', ...globalSetup],
      // One fake open platform serves every file; its fault injection must not hit another file's calls.
      fileParallelism: false,
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  }
}

export default defineConfig({
  // On the root: the pool resolves modules that workerd asks for through the root's Vite server.
  plugins: [workerdRequireResolution],
  test: {
    projects: [
      workerdProject('workers', ['test/workers/**/*.test.ts'], [MYSQL_TESTS], null, []),
      workerdProject('workers-mysql', [MYSQL_TESTS], [], 'hyperdrive', ['test/workers/mysql/scratch-mysql-setup.ts']),
    ],
  },
})
