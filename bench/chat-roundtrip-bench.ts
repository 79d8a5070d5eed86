import { createParserFromEnv } from '../bot/nlu/parser-from-env.js'
import { connectDatabase, type DbHandle } from '../db/connect.js'
import { migrateToLatest } from '../db/migrate.js'
import { seedDemoOrg } from '../db/seeds/demo-org.js'
import { createApp } from '../server/app.js'
import { composeSystem } from '../server/compose.js'
import { percentile, round } from './percentiles.js'

const MYSQL_URL = process.env.TEST_MYSQL_URL ?? process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test'

/**
 * Chat round trip on the rules path, in process: a typed claim → confirmation card, then the
 * confirm tap → the supervisor's approval card delivered. Timed per story on each database.
 */
async function measure(database: DbHandle, stories: number): Promise<{ message: number[]; confirm: number[] }> {
  await migrateToLatest(database.db)
  await seedDemoOrg(database.db)
  const system = await composeSystem({ database, parser: createParserFromEnv({}) })
  const app = createApp(system, { devMode: true })
  const post = (path: string, body: unknown) =>
    app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const message: number[] = []
  const confirm: number[] = []
  const warmUp = 30
  for (let i = 0; i < stories + warmUp; i++) {
    let started = performance.now()
    const replies = (await (await post('/api/dev/messages', { userId: 'zhangsan', text: `提交本月差旅费 ${100 + i}元` })).json()) as { messages: { card?: { id: string } }[] }
    const messageMs = performance.now() - started
    started = performance.now()
    await post(`/api/dev/cards/${replies.messages[0]!.card!.id}/actions/confirm`, { userId: 'zhangsan' })
    if (i < warmUp) continue
    message.push(messageMs)
    confirm.push(performance.now() - started)
  }
  await database.close()
  return { message, confirm }
}

async function scratchMysql(): Promise<DbHandle> {
  const { createConnection } = await import('mysql2/promise')
  const url = new URL(MYSQL_URL)
  const name = `bench_${Date.now().toString(36)}`
  const admin = await createConnection({ host: url.hostname, port: Number(url.port || 3306), user: url.username, password: url.password })
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`)
  url.pathname = `/${name}`
  const handle = connectDatabase(url.toString())
  return {
    ...handle,
    close: async () => {
      await handle.close()
      await admin.query(`DROP DATABASE \`${name}\``)
      await admin.end()
    },
  }
}

export async function runChatRoundtripBench(stories = 300): Promise<Record<string, number>> {
  const figures: Record<string, number> = {}
  for (const [name, open] of [['sqlite', async () => connectDatabase('sqlite::memory:')], ['mariadb', scratchMysql]] as const) {
    const { message, confirm } = await measure(await open(), stories)
    figures[`${name}: message → confirmation card p50 ms`] = round(percentile(message, 50))
    figures[`${name}: message → confirmation card p99 ms`] = round(percentile(message, 99))
    figures[`${name}: confirm → approver card p50 ms`] = round(percentile(confirm, 50))
    figures[`${name}: confirm → approver card p99 ms`] = round(percentile(confirm, 99))
  }
  return figures
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await runChatRoundtripBench())
