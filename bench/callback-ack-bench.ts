import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createConnection } from 'mysql2/promise'
import { FakeFeishuOpenPlatform } from '../test/fakes/feishu/fake-open-platform.js'
import { FeishuEventPusher, messageEnvelope } from '../test/fakes/feishu/feishu-event-pusher.js'
import { APP, FEISHU_USERS, OPEN_ID } from '../test/feishu/feishu-harness.js'
import { buildServer } from '../scripts/build-server.js'
import { MYSQL_BASE_URL } from '../test/helpers/databases.js'
import { closedLoop, openLoop, type LoadResult, type Shot } from './load.js'
import { percentile, round } from './percentiles.js'

/**
 * The Feishu callback ack path under load, against its baseline in the same run: signed and
 * encrypted events POSTed to /feishu/events (verify, decrypt, two dedupe writes, queue) and the
 * same bytes POSTed to a bare Hono hello-world route on the same server (bench/ack-server.ts,
 * its own process; the load comes from this one). The events are group-chat lines that @-mention a
 * colleague, not the bot: acknowledged and dropped after the dedupe write (a line that mentions
 * nobody is dropped before it, so it would not measure the write). On the embedded DB (a SQLite file, as by default) and on MariaDB. Also the server's
 * RSS when idle and its peak under this load. Targets: ≥ 30% of the bare rate; p99 < 50 ms at
 * 1,000 events/s.
 */
const root = fileURLToPath(new URL('..', import.meta.url))
const serverScript = fileURLToPath(new URL(process.env.ACK_SERVER ?? './ack-server.ts', import.meta.url))
const BARE_ROUTE = '/bench/hello'
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32)
const ROUNDS = 4
const CLOSED_SLICE_MS = 1_000
const OPEN_SLICE_MS = 1_500
const RATE = 1_000
const MB = 1024 * 1024

interface AckServer {
  url: string
  ask<T>(question: string, answerKey: string): Promise<T>
  stop(): Promise<void>
}

/** Compiled as `npm start` compiles server/node.ts, so its memory is what production's is. */
async function startAckServer(env: Record<string, string>, nodeOptions: string[] = []): Promise<AckServer> {
  // Inside the checkout: the compiled file finds its packages in node_modules from there.
  await mkdir(join(root, 'dist'), { recursive: true })
  const dir = await mkdtemp(join(root, 'dist', 'ack-server-'))
  const compiled = await buildServer(join(dir, 'ack-server.js'), relative(root, serverScript))
  const child: ChildProcess = spawn(process.execPath, [...nodeOptions, compiled], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  const url = await new Promise<string>((resolve, reject) => {
    child.on('message', (m: { ready?: string }) => m.ready && resolve(m.ready))
    child.once('exit', (code) => reject(new Error(`ack server exited (${code}) before it was ready`)))
  })
  return {
    url,
    ask: async <T>(question: string, answerKey: string) => {
      const answer = new Promise<T>((resolve) => {
        const listener = (m: Record<string, unknown>) => {
          if (!(answerKey in m)) return
          child.off('message', listener)
          resolve(m[answerKey] as T)
        }
        child.on('message', listener)
      })
      child.send(question)
      return answer
    },
    stop: async () => {
      const exited = once(child, 'exit')
      child.disconnect()
      await exited
      await rm(dir, { recursive: true, force: true })
    },
  }
}

const SENDERS = [OPEN_ID.zhangsan, OPEN_ID.lisi, OPEN_ID.wangwu, OPEN_ID.sunba]
/** The chatter @-mentions a colleague, not the bot: recorded (it might have been for the bot), then dropped. */
const COLLEAGUE = { key: '@_user_1', openId: OPEN_ID.sunba, name: '孙八' }

function groupChatter(pusher: FeishuEventPusher, count: number): Shot[] {
  return Array.from({ length: count }, (_, i) => {
    const envelope = messageEnvelope({ appId: APP.appId, token: APP.verificationToken, openId: SENDERS[i % SENDERS.length]!, text: `@_user_1 今天下午三点开会 ${i}`, chatType: 'group', mentions: [COLLEAGUE] })
    return { path: '/feishu/events', ...pusher.wire(envelope) }
  })
}

const toBare = (shots: Shot[]): Shot[] => shots.map((s) => ({ ...s, path: BARE_ROUTE }))

export interface AckFigures {
  bareRate: number
  eventRate: number
  /** Event-loop milliseconds per request: what one request costs the single-threaded server. */
  bareBusyMs: number
  eventBusyMs: number
  bareAtRate: number[]
  eventsAtRate: number[]
  failed: number
  recorded: number
  expected: number
  idleRss: number
  peakRss: number
}

interface Tally {
  sent: number
  ok: number
  failed: number
  seconds: number
  busyMs: number
  latencies: number[]
}

const tally = (): Tally => ({ sent: 0, ok: 0, failed: 0, seconds: 0, busyMs: 0, latencies: [] })

/**
 * One database: start the server, then alternate short slices of the two routes (closed loop,
 * then open loop at RATE), so both see the same machine; a shared 2-core box drifts by the second.
 */
export async function measureAck(databaseUrl: string, options: { nodeOptions?: string[]; rounds?: number } = {}): Promise<AckFigures> {
  const fake = await FakeFeishuOpenPlatform.start({ appId: APP.appId, appSecret: APP.appSecret, users: FEISHU_USERS })
  const server = await startAckServer(
    {
      DATABASE_URL: databaseUrl,
      FEISHU_APP_ID: APP.appId,
      FEISHU_APP_SECRET: APP.appSecret,
      FEISHU_VERIFICATION_TOKEN: APP.verificationToken,
      FEISHU_ENCRYPT_KEY: APP.encryptKey,
      FEISHU_DOMAIN: fake.url,
      FEISHU_MODE: 'http',
      BENCH_BARE_ROUTE: BARE_ROUTE,
    },
    options.nodeOptions,
  )
  try {
    const pusher = new FeishuEventPusher({ target: server.url, appId: APP.appId, verificationToken: APP.verificationToken, encryptKey: APP.encryptKey })
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    const idle = await server.ask<{ rss: number }>('memory', 'memory')
    const sample = groupChatter(pusher, 2_000)
    const bareShots = toBare(Array.from({ length: 150_000 }, (_, i) => sample[i % sample.length]!))

    // Warm up both routes (JIT, connection pool, the first batch of tables' pages).
    await closedLoop(server.url, bareShots, { concurrency: CONCURRENCY, durationMs: 1_000 })
    const warmed = await closedLoop(server.url, groupChatter(pusher, 10_000), { concurrency: CONCURRENCY, durationMs: 1_000 })
    await server.ask('idle', 'idle')

    const closed = { bare: tally(), events: tally() }
    const open = { bare: tally(), events: tally() }
    let acknowledged = warmed.ok
    const slice = async (into: Tally, run: () => Promise<LoadResult>) => {
      const before = await server.ask<number>('busy', 'busy')
      const result = await run()
      // Background work an event leaves behind belongs to the events, not to the next slice.
      await server.ask('idle', 'idle')
      into.busyMs += (await server.ask<number>('busy', 'busy')) - before
      into.sent += result.sent
      into.ok += result.ok
      into.failed += result.failed
      into.seconds += result.seconds
      into.latencies.push(...result.latenciesMs)
      return result
    }
    for (let round = 0; round < (options.rounds ?? ROUNDS); round++) {
      await slice(closed.bare, () => closedLoop(server.url, bareShots, { concurrency: CONCURRENCY, durationMs: CLOSED_SLICE_MS }))
      acknowledged += (await slice(closed.events, () => closedLoop(server.url, groupChatter(pusher, 10_000), { concurrency: CONCURRENCY, durationMs: CLOSED_SLICE_MS }))).ok
      await slice(open.bare, () => openLoop(server.url, bareShots, { perSecond: RATE, durationMs: OPEN_SLICE_MS }))
      acknowledged += (await slice(open.events, () => openLoop(server.url, groupChatter(pusher, (RATE * OPEN_SLICE_MS) / 1000), { perSecond: RATE, durationMs: OPEN_SLICE_MS }))).ok
    }
    const loaded = await server.ask<{ peak: number }>('memory', 'memory')
    const recorded = await server.ask<number>('inbound-events', 'inboundEvents')
    return {
      bareRate: Math.round(closed.bare.sent / closed.bare.seconds),
      eventRate: Math.round(closed.events.sent / closed.events.seconds),
      bareBusyMs: (closed.bare.busyMs + open.bare.busyMs) / (closed.bare.sent + open.bare.sent),
      eventBusyMs: (closed.events.busyMs + open.events.busyMs) / (closed.events.sent + open.events.sent),
      bareAtRate: open.bare.latencies,
      eventsAtRate: open.events.latencies,
      failed: closed.bare.failed + closed.events.failed + open.bare.failed + open.events.failed,
      recorded,
      // Each chat line is recorded twice: its event id and its message id.
      expected: 2 * acknowledged,
      idleRss: idle.rss,
      peakRss: loaded.peak,
    }
  } finally {
    await server.stop()
    await fake.close()
  }
}

async function withDatabase<T>(kind: 'sqlite' | 'mariadb', run: (url: string) => Promise<T>): Promise<T> {
  if (kind === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'ack-bench-'))
    try {
      return await run(`sqlite:${join(dir, 'app.db')}`)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
  const base = new URL(MYSQL_BASE_URL)
  const name = `bench_ack_${Date.now().toString(36)}`
  const admin = await createConnection({ host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password) })
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  try {
    const url = new URL(MYSQL_BASE_URL)
    url.pathname = `/${name}`
    return await run(url.toString())
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``)
    await admin.end()
  }
}

export async function runCallbackAckBench(rounds = ROUNDS): Promise<Record<string, number>> {
  const figures: Record<string, number> = {}
  for (const kind of ['sqlite', 'mariadb'] as const) {
    const f = await withDatabase(kind, (url) => measureAck(url, { rounds }))
    if (f.recorded !== f.expected) throw new Error(`${kind}: ${f.recorded} inbound event rows for ${f.expected} acknowledged deliveries`)
    figures[`${kind}: bare Hono req/s (${CONCURRENCY} in flight)`] = f.bareRate
    figures[`${kind}: /feishu/events req/s (${CONCURRENCY} in flight)`] = f.eventRate
    figures[`${kind}: /feishu/events share of bare %`] = round((100 * f.eventRate) / f.bareRate, 1)
    figures[`${kind}: bare Hono event-loop µs per request`] = round(f.bareBusyMs * 1000, 0)
    figures[`${kind}: /feishu/events event-loop µs per request`] = round(f.eventBusyMs * 1000, 0)
    figures[`${kind}: /feishu/events capacity share of bare %`] = round((100 * f.bareBusyMs) / f.eventBusyMs, 1)
    figures[`${kind}: bare Hono at ${RATE}/s p50 ms`] = round(percentile(f.bareAtRate, 50))
    figures[`${kind}: bare Hono at ${RATE}/s p99 ms`] = round(percentile(f.bareAtRate, 99))
    figures[`${kind}: /feishu/events at ${RATE}/s p50 ms`] = round(percentile(f.eventsAtRate, 50))
    figures[`${kind}: /feishu/events at ${RATE}/s p99 ms`] = round(percentile(f.eventsAtRate, 99))
    figures[`${kind}: /feishu/events at ${RATE}/s max ms`] = round(Math.max(...f.eventsAtRate))
    figures[`${kind}: non-200 answers`] = f.failed
    figures[`${kind}: RSS idle MB`] = round(f.idleRss / MB, 1)
    figures[`${kind}: RSS peak under load MB`] = round(f.peakRss / MB, 1)
  }
  return figures
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const figures = await runCallbackAckBench()
  for (const [name, value] of Object.entries(figures)) console.log(`${name.padEnd(48)} ${value}`)
  process.exit(0)
}
