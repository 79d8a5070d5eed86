import { cloudflareTest } from '@cloudflare/vitest-pool-workers'
import type { ProvidedContext } from 'vitest'
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config'
import { FEISHU_APP } from './test/workers/feishu-tenant.js'
import { workerdRequireResolution } from './test/workers/workerd-require-resolution.js'

// Runs offline: no metrics, no cf.json download.
process.env.WRANGLER_SEND_METRICS = 'false'
process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false'

const MYSQL_TESTS = 'test/workers/mysql/**/*.test.ts'

type Inject = <K extends keyof ProvidedContext>(key: K) => ProvidedContext[K]

/**
 * The real worker (wrangler.toml, server/worker.ts) inside workerd, via Miniflare, once per kind of
 * database a deployment can have: the Durable Object's own storage, or MySQL through Hyperdrive
 * bindings (`hyperdrives`) to the scratch MariaDB database.
 */
function workerdProject(name: string, include: string[], exclude: string[], globalSetup: string[], hyperdrives?: (inject: Inject) => Record<string, string>): TestProjectInlineConfiguration {
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
          BACKUP_TOKEN: 'workers-test-backup-token-0123456789abcdef',
            DEV_MODE: '1',
          },
          ...(hyperdrives ? { hyperdrives: hyperdrives(inject) } : {}),
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
      workerdProject('workers', ['test/workers/**/*.test.ts'], [MYSQL_TESTS], []),
      workerdProject('workers-mysql', [MYSQL_TESTS], [], ['test/workers/mysql/scratch-mysql-setup.ts', 'test/workers/mysql/mysql-coming-back-setup.ts'], (inject) => ({
        HYPERDRIVE: inject('hyperdriveUrl'),
        // The same database behind a port that answers only once a test opens it.
        HYPERDRIVE_COMING_BACK: Object.assign(new URL(inject('hyperdriveUrl')), { port: String(inject('comingBackMysqlPort')) }).toString(),
      })),
    ],
  },
})
