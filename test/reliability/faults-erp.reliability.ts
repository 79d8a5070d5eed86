import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { createParserFromEnv } from '../../bot/nlu/parser-from-env.js'
import { seedDemoOrg } from '../../db/seeds/demo-org.js'
import { WebhookAdapter } from '../../erp-bridge/adapters/webhook/webhook-adapter.js'
import { ErpConnectionStore } from '../../erp-bridge/connections/erp-connection-store.js'
import { SecretBox } from '../../erp-bridge/connections/secret-box.js'
import { composeSystem } from '../../server/compose.js'
import { verifyAuditChain } from '../../workflow/audit-chain.js'
import { approveExpenseClaims } from '../erp/approvals.js'
import { scratchDatabase, type ScratchDatabase } from '../erp/scratch-database.js'
import { startFaultProxy, type Fault, type FaultProxy } from '../fakes/erp-proxy/fault-proxy.js'
import { startWebhookErp, type WebhookErp } from '../fakes/erp-proxy/webhook-erp.js'
import { OPEN_ID } from '../feishu/feishu-harness.js'
import { DB_KINDS } from '../helpers/databases.js'
import { AdminClient } from '../miniapp/admin-client.js'
import { startChatStack, type ChatStack } from './chat-stack.js'

/**
 * The ERP failing under the outbox: (1) down (connections refused, then 503s) while approvals keep
 * coming, for longer than the automatic retries last, then back: what was still retrying posts by
 * itself, what was dead-lettered is retried by finance from the mini-app, every requester is told
 * once. (2) Worker processes SIGKILLed mid-posting, again and again, while the ERP drops replies,
 * hangs and answers 503. The ERP here keeps no idempotency of its own, so a second post of a key
 * would be a second document: only the bridge stands between a fault and a double posting.
 */
const SECRET = 'reliability-erp-signing-secret'
/** People Feishu can find by their company e-mail, so the bot can tell them about their postings. */
const REQUESTERS = ['lisi', 'wangwu']
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function until(condition: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

describe.each(DB_KINDS)('the ERP down, then back (%s)', (kind) => {
  let stack: ChatStack | undefined
  let erp: WebhookErp | undefined
  let proxy: FaultProxy | undefined
  afterEach(async () => {
    await stack?.instances[0]!.t.system.outbox.stop()
    await stack?.close()
    await proxy?.close()
    await erp?.close()
    stack = undefined
  })

  it('40 approvals during an outage longer than the retries: each posted exactly once, each requester told once', async () => {
    erp = await startWebhookErp({ secret: SECRET, dedupe: false, latencyMs: 5 })
    proxy = await startFaultProxy(new URL(erp.url).origin)
    // The outage here refuses and answers 503 at once. A call that merely ran slow on a loaded CI machine would be
    // an unknown outcome, reconciled only after 30 s: a timeout far above any answer keeps this test about outages.
    const adapter = new WebhookAdapter({ url: `${proxy.origin}${new URL(erp.url).pathname}`, secret: SECRET, timeoutMs: 5_000, employeeNoIsErpCode: true, requiredMappings: { 'expense.voucher': ['employee', 'department'] } })
    // Retried for 3 s, not the 72 h of production: long enough for several tries, short enough to see rows go dead.
    stack = await startChatStack(kind, { erp: adapter, outboxGiveUpAfterMs: 3_000 })
    const { t } = stack.instances[0]!
    const db = stack.database.db
    t.system.outbox.start()

    await proxy.set('refuse')
    const first = await approveExpenseClaims(t.system, 20, { parallel: 2, requesters: REQUESTERS })
    await proxy.set('unavailable')
    const second = await approveExpenseClaims(t.system, 20, { parallel: 2, requesters: REQUESTERS })
    const numbers = [...first, ...second]
    // Down long enough for some rows to use up their automatic retries.
    await until(async () => (await db.selectFrom('outbox').select('id').where('status', '=', 'dead').execute()).length > 0, 'a dead-lettered posting', 15_000)
    await sleep(500)
    await proxy.set('pass')

    // Finance retries what was dead-lettered, from the mini-app.
    const finance = await AdminClient.signIn(t.app, 'sunba')
    await until(async () => (await db.selectFrom('outbox').select('id').where('status', 'in', ['pending', 'sending', 'unknown']).execute()).length === 0, 'the automatic retries to finish', 20_000)
    const dead = await db.selectFrom('outbox').select('id').where('status', '=', 'dead').execute()
    expect(dead.length).toBeGreaterThan(0)
    for (const row of dead) expect((await finance.post(`/api/admin/erp/postings/${row.id}/retry`, {})).status).toBe(200)
    await until(async () => (await db.selectFrom('outbox').select('id').where('status', '=', 'posted').execute()).length === numbers.length, 'every posting', 20_000)
    await stack.settle()

    expect(erp.duplicates()).toEqual([])
    expect(erp.documents).toHaveLength(numbers.length)
    const rows = await db.selectFrom('outbox').select(['idempotency_key', 'document_no']).execute()
    const documentOf = new Map(erp.documents.map((d) => [d.idempotencyKey, d.documentNo]))
    expect(rows.map((r) => r.idempotency_key).sort()).toEqual([...numbers].sort())
    for (const row of rows) expect(row.document_no).toBe(documentOf.get(row.idempotency_key))
    // Each requester heard about each of their postings once; finance heard about the dead ones.
    const told = [OPEN_ID.lisi, OPEN_ID.wangwu].flatMap((openId) => stack!.feishu.messagesTo(openId).map((m) => m.content)).filter((text) => text.includes('已入账'))
    for (const requestNo of numbers) expect({ requestNo, times: told.filter((text) => text.includes(requestNo)).length }).toEqual({ requestNo, times: 1 })
    expect(stack.feishu.messagesTo(OPEN_ID.sunba).filter((m) => m.content.includes('入账失败')).length).toBeGreaterThanOrEqual(dead.length)
    expect((await verifyAuditChain(db)).ok).toBe(true)
  })
})

describe.each(DB_KINDS)('worker processes SIGKILLed while the ERP flickers (%s)', (kind) => {
  const CLAIMS = 200
  let scratch: ScratchDatabase | undefined
  let erp: WebhookErp | undefined
  let proxy: FaultProxy | undefined
  const workers = new Set<ChildProcess>()

  const startWorker = async (env: Record<string, string>): Promise<ChildProcess> => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/erp/worker-process.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stderr!.resume()
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve())
      child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready`)))
    })
    workers.add(child)
    return child
  }
  const kill = async (child: ChildProcess) => {
    workers.delete(child)
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    child.kill('SIGKILL')
    await exited
  }

  afterEach(async () => {
    for (const child of [...workers]) await kill(child)
    await proxy?.close()
    await erp?.close()
    await scratch?.drop()
    scratch = undefined
  })

  it(`${CLAIMS} claims, workers killed every few hundred ms, replies lost, calls hanging: none lost, none posted twice`, async () => {
    scratch = await scratchDatabase(kind)
    const db = scratch.handle.db
    await seedDemoOrg(db)
    const system = await composeSystem({ database: scratch.handle, parser: createParserFromEnv({}) })
    const numbers = await approveExpenseClaims(system, CLAIMS, { parallel: kind === 'mysql' ? 4 : 1 })

    erp = await startWebhookErp({ secret: SECRET, dedupe: false, latencyMs: 150 })
    proxy = await startFaultProxy(new URL(erp.url).origin)
    const faults: Exclude<Fault, 'refuse'>[] = ['pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'lose-reply', 'unavailable', 'hang']
    await proxy.decide(() => faults[Math.floor(Math.random() * faults.length)]!)
    const key = crypto.getRandomValues(new Uint8Array(32))
    const connections = new ErpConnectionStore(db, await SecretBox.fromKey(key))
    const connection = await connections.save({ name: '会丢包的 ERP', adapter: 'webhook', settings: { url: `${proxy.origin}${new URL(erp.url).pathname}`, secret: SECRET, timeoutMs: 400, employeeNoIsErpCode: true, requiredMappings: { 'expense.voucher': ['employee', 'department'] } } })
    await connections.activate(connection.id)
    const env = { DATABASE_URL: scratch.url, ERP_SECRET_KEY_HEX: Buffer.from(key).toString('hex'), LEASE_MS: '1500' }

    const posted = async () => Number((await db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'posted').executeTakeFirstOrThrow()).n)
    const parallel = kind === 'mysql' ? 3 : 1
    for (let i = 0; i < parallel; i++) await startWorker(env)
    let kills = 0
    let killedMidPosting = 0
    const deadline = Date.now() + 60_000
    // At least four kills whatever the pace (on a machine where a worker starts slowly the claims could
    // all be posted before the fourth), up to eight while claims remain.
    while ((kills < 4 || (kills < 8 && (await posted()) < CLAIMS)) && Date.now() < deadline) {
      await sleep(250 + Math.random() * 350)
      const victim = [...workers][Math.floor(Math.random() * workers.size)]!
      if ((await db.selectFrom('outbox').select('id').where('status', '=', 'sending').execute()).length > 0) killedMidPosting++
      await kill(victim)
      kills++
      await startWorker(env)
    }
    // The storm is over: the ERP answers again, the survivors finish.
    await proxy.decide(() => 'pass')
    await until(async () => (await posted()) === CLAIMS, 'every claim posted', 60_000)

    expect(kills).toBeGreaterThanOrEqual(4)
    expect(killedMidPosting).toBeGreaterThan(0)
    expect(proxy.counts['lose-reply'] + proxy.counts.hang).toBeGreaterThan(0)
    expect(erp.duplicates(), 'keys with two documents in the ERP').toEqual([])
    expect(erp.documents).toHaveLength(CLAIMS)
    const rows = await db.selectFrom('outbox').select(['idempotency_key', 'document_no', 'status']).execute()
    const documentOf = new Map(erp.documents.map((d) => [d.idempotencyKey, d.documentNo]))
    expect(rows.map((r) => r.idempotency_key).sort()).toEqual([...numbers].sort())
    for (const row of rows) expect(row.document_no).toBe(documentOf.get(row.idempotency_key))
    expect((await verifyAuditChain(db)).ok).toBe(true)
    console.log(`ERP faults (${kind}): ${kills} worker kills (${killedMidPosting} mid-posting), ERP calls: ${JSON.stringify(proxy.counts)}`)
  })
})
