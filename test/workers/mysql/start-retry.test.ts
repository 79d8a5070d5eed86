import { env } from 'cloudflare:test'
import { sql } from 'kysely'
import { expect, inject, it } from 'vitest'
import { connectHyperdrive, type HyperdriveBinding } from '../../../db/connect-hyperdrive.js'
import { startWorkersApp, type Running } from '../../../server/worker.js'
import { AppStartup } from '../../../server/worker-startup.js'

const settings = { APP_SECRET_KEY: 'workers-start-retry-secret-key-0123456789abcdef' }
const RETRY_INTERVAL_MS = 300

it('MySQL down while the app starts: it says why, and a request after the retry interval starts it once MySQL is back', async () => {
  const opened: ReturnType<typeof connectHyperdrive>[] = []
  const startup = new AppStartup<Running>(
    async () => {
      const database = connectHyperdrive(env.HYPERDRIVE_COMING_BACK as HyperdriveBinding)
      opened.push(database)
      return startWorkersApp(database, settings)
    },
    (work) => work(),
    RETRY_INTERVAL_MS,
  )
  try {
    await startup.begin()
    expect(await startup.running()).toBeUndefined()
    expect(startup.problem).toContain('启动失败 / start failed')

    expect((await fetch(`${inject('mysqlControlUrl')}/open`, { method: 'POST' })).status).toBe(200)
    // Back, but the retry interval has not passed: no start on every request while the database is down.
    expect(await startup.running()).toBeUndefined()
    expect(opened).toHaveLength(1)

    await new Promise((resolve) => setTimeout(resolve, RETRY_INTERVAL_MS + 50))
    const running = await startup.running()
    expect(running).toBeDefined()
    expect(startup.problem).toBeUndefined()
    const migrated = await sql<{ n: number }>`select count(*) as n from kysely_migration`.execute(running!.system.services.db)
    expect(migrated.rows[0]!.n).toBeGreaterThan(0)
    // Started once: later requests use the same app.
    expect(await startup.running()).toBe(running)
    expect(opened).toHaveLength(2)
  } finally {
    await Promise.all(opened.map((database) => database.close().catch(() => undefined)))
  }
})

it('a setting that cannot work is not retried: the same answer until new settings restart the object', async () => {
  let starts = 0
  const startup = new AppStartup<Running>(
    async () => {
      starts++
      return startWorkersApp(connectHyperdrive(env.HYPERDRIVE as HyperdriveBinding), {})
    },
    (work) => work(),
    0,
  )
  await startup.begin()
  expect(await startup.running()).toBeUndefined()
  expect(await startup.running()).toBeUndefined()
  expect(startup.problem).toContain('APP_SECRET_KEY')
  expect(starts).toBe(1)
})
