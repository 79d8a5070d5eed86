import { cloudflareTest } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'
import { FEISHU_APP } from './test/workers/feishu-tenant.js'

// Runs offline: no metrics, no cf.json download.
process.env.WRANGLER_SEND_METRICS = 'false'
process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false'

/** The Workers tests: the real worker (wrangler.toml, server/worker.ts) inside workerd, via Miniflare. */
export default defineConfig({
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
      },
    })),
  ],
  test: {
    name: 'workers',
    include: ['test/workers/**/*.test.ts'],
    globalSetup: ['test/workers/fake-feishu-setup.ts'],
    // One fake open platform serves every file; its fault injection must not hit another file's calls.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
