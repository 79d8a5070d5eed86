import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { createParserFromEnv } from '../../bot/nlu/parser-from-env.js'
import { seedDemoOrg } from '../../db/seeds/demo-org.js'
import { ErpConnectionStore } from '../../erp-bridge/connections/erp-connection-store.js'
import { SecretBox } from '../../erp-bridge/connections/secret-box.js'
import { MappingStore } from '../../erp-bridge/mapping/mapping-store.js'
import { composeSystem } from '../../server/compose.js'
import { startWebhookErp, type WebhookErp } from '../fakes/erp-proxy/webhook-erp.js'
import { DB_KINDS } from '../helpers/databases.js'
import { approveExpenseClaims } from './approvals.js'
import { scratchDatabase, type ScratchDatabase } from './scratch-database.js'

const SECRET = 'kill-test-signing-secret'
const CLAIMS = 120
const KILLS = 6
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Starts the worker process and resolves once it says it is draining. */
async function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/erp/worker-process.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let errors = ''
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()))
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve())
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready: ${errors}`)))
  })
  await ready
  return child
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill('SIGKILL')
  await exited
}

describe.each(DB_KINDS)('worker processes SIGKILLed mid-posting (%s)', (kind) => {
  let scratch: ScratchDatabase
  let erp: WebhookErp
  let child: ChildProcess | undefined

  afterEach(async () => {
    if (child) await kill(child)
    await erp?.close()
    await scratch?.drop()
  })

  it(`${KILLS} kills while ${CLAIMS} approved claims drain: none lost, none posted twice`, async () => {
    scratch = await scratchDatabase(kind)
    const { db } = scratch.handle
    await seedDemoOrg(db)
    const system = await composeSystem({ database: scratch.handle, parser: createParserFromEnv({}) })
    const numbers = await approveExpenseClaims(system, CLAIMS, { parallel: kind === 'mysql' ? 4 : 1 })

    // The ERP keeps no idempotency of its own: a second post of a key would be a second document.
    erp = await startWebhookErp({ secret: SECRET, dedupe: false, latencyMs: 30 })
    const key = crypto.getRandomValues(new Uint8Array(32))
    const connections = new ErpConnectionStore(db, await SecretBox.fromKey(key))
    const connection = await connections.save({ name: '测试 ERP', adapter: 'webhook', settings: { url: erp.url, secret: SECRET, timeoutMs: 500, employeeNoIsErpCode: true } })
    await connections.activate(connection.id)
    await new MappingStore(db).save([{ kind: 'expense_category', localKey: 'travel', erpCode: '6602.01', erpName: null }])
    const env = { DATABASE_URL: scratch.url, ERP_SECRET_KEY_HEX: Buffer.from(key).toString('hex'), LEASE_MS: '1500' }

    const postedCount = async () => Number((await db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'posted').executeTakeFirstOrThrow()).n)
    let killedMidPosting = 0
    for (let i = 0; i < KILLS; i++) {
      const started = Date.now()
      child = await startWorker(env)
      // Kill it once it is busy posting (however fast this machine is): it has posted, and holds
      // rows it claimed itself, then at a random moment soon after.
      const before = await postedCount()
      await expect.poll(postedCount, { timeout: 20_000, interval: 10 }).toBeGreaterThan(Math.min(before, CLAIMS - 1))
      const claimedByIt = async () => (await db.selectFrom('outbox').select('id').where('status', '=', 'sending').where('updated_at', '>=', started).execute()).length
      await expect.poll(claimedByIt, { timeout: 5_000, interval: 5 }).toBeGreaterThan(0)
      await sleep(Math.random() * 20)
      await kill(child)
      const inFlight = await db.selectFrom('outbox').select('id').where('status', '=', 'sending').execute()
      if (inFlight.length > 0) killedMidPosting++
    }
    expect(killedMidPosting, 'kills that left postings half done').toBeGreaterThan(KILLS / 2)

    child = await startWorker(env)
    await expect.poll(postedCount, { timeout: 30_000, interval: 200 }).toBe(CLAIMS)
    await kill(child)

    expect(erp.duplicates(), 'keys with two documents in the ERP').toEqual([])
    expect(erp.documents).toHaveLength(CLAIMS)
    // Rows a dead worker held were looked up before anything was sent again.
    expect(erp.lookups).toBeGreaterThan(0)
    const rows = await db.selectFrom('outbox').select(['idempotency_key', 'document_no', 'status']).execute()
    const documentOf = new Map(erp.documents.map((d) => [d.idempotencyKey, d.documentNo]))
    expect(rows.map((r) => r.idempotency_key).sort()).toEqual([...numbers].sort())
    for (const row of rows) expect(row.document_no).toBe(documentOf.get(row.idempotency_key))
  }, 90_000)
})
