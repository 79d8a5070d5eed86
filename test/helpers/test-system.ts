import type { Hono } from 'hono'
import type { Card } from '../../bot/cards/card.js'
import type { ChatIntegration } from '../../bot/chat-integration.js'
import type { DeliveryPolicy } from '../../bot/delivery/delivery-store.js'
import { createParserFromEnv } from '../../bot/nlu/parser-from-env.js'
import type { SimulatorItem } from '../../bot/platforms/dev/dev-platform.js'
import type { DbHandle } from '../../db/connect.js'
import { seedDemoOrg } from '../../db/seeds/demo-org.js'
import type { ErpAdapter } from '../../erp-bridge/erp-adapter.js'
import { createApp } from '../../server/app.js'
import { composeSystem, type System } from '../../server/compose.js'
import { freshDatabase, type TestDbKind } from './databases.js'

export interface DevUser {
  id: string
  name: string
  department: string
  roles: string[]
  managerId: string | null
}

/** Whatever answers the app's routes: the Hono app in-process, or a running server over HTTP. */
export interface AppRequests {
  request(path: string, init?: RequestInit): Response | Promise<Response>
}

/** A running server at `baseUrl`, driven like the in-process app. */
export const overHttp = (baseUrl: string): AppRequests => ({ request: (path, init) => fetch(`${baseUrl}${path}`, init) })

/** People using the app through the simulator API (DESIGN.md): typing, tapping cards, reading inboxes. */
export class SimulatorDriver {
  constructor(readonly app: AppRequests) {}

  async users(): Promise<DevUser[]> {
    return (await this.app.request('/api/dev/users')).json() as Promise<DevUser[]>
  }

  async user(name: string): Promise<DevUser> {
    const user = (await this.users()).find((u) => u.name === name)
    if (!user) throw new Error(`no demo user ${name}`)
    return user
  }

  async say(userId: string, text: string): Promise<SimulatorItem[]> {
    const response = await this.app.request('/api/dev/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId, text }) })
    if (response.status !== 200) throw new Error(`say failed: ${response.status} ${await response.text()}`)
    return ((await response.json()) as { messages: SimulatorItem[] }).messages
  }

  async inbox(userId: string): Promise<SimulatorItem[]> {
    return (await this.app.request(`/api/dev/inbox/${userId}`)).json() as Promise<SimulatorItem[]>
  }

  /** The plain texts `userId` has received, oldest first. */
  async texts(userId: string): Promise<string[]> {
    return (await this.inbox(userId)).flatMap((m) => (m.text ? [m.text] : []))
  }

  /** The newest card about a request that offers `actionId` to this person. */
  async cardOffering(userId: string, requestNo: string, actionId: string): Promise<Card> {
    const card = (await this.cards(userId, requestNo)).reverse().find((c) => c.actions.some((a) => a.id === actionId))
    if (!card) throw new Error(`${userId} has no card offering ${actionId} on ${requestNo}`)
    return card
  }

  async cards(userId: string, requestNo?: string): Promise<Card[]> {
    const cards = (await this.inbox(userId)).flatMap((item) => (item.card ? [item.card] : []))
    return requestNo ? cards.filter((c) => c.requestNo === requestNo) : cards
  }

  async tap(cardId: string, actionId: string, userId: string, comment?: string): Promise<{ status: number; body: { ok: boolean; message: string; code?: string } }> {
    const response = await this.app.request(`/api/dev/cards/${cardId}/actions/${actionId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId, comment }),
    })
    return { status: response.status, body: (await response.json()) as { ok: boolean; message: string; code?: string } }
  }

  async vouchers(): Promise<{ voucherNo: string; requestNo: string; lines: { account: string; debit: number; credit: number }[] }[]> {
    return (await this.app.request('/api/dev/erp/vouchers')).json() as never
  }

  /** Types a claim, confirms the card, returns the request number. */
  async submitExpense(userId: string, text: string): Promise<string> {
    const replies = await this.say(userId, text)
    const card = replies.find((m) => m.card?.actions.some((a) => a.id === 'confirm'))?.card
    if (!card) throw new Error(`no confirmation card in ${JSON.stringify(replies)}`)
    const { body } = await this.tap(card.id, 'confirm', userId)
    const requestNo = /[A-Z]{2}-\d{6}-\d{4}/.exec(body.message)?.[0]
    if (!requestNo) throw new Error(`no request number in ${body.message}`)
    return requestNo
  }

  /** The card about `requestNo` that `userId` can act on right now. */
  async actionableCard(userId: string, requestNo: string): Promise<Card> {
    const card = (await this.cards(userId, requestNo)).find((c) => c.actions.some((a) => a.id === 'approve'))
    if (!card) throw new Error(`${userId} holds no actionable card for ${requestNo}`)
    return card
  }
}

/**
 * The real app on a real database, driven through the simulator API in-process (app.request).
 * The outbox worker is not started: tests drain it explicitly, or start it to test the loop.
 */
export class TestSystem extends SimulatorDriver {
  private constructor(
    readonly database: DbHandle,
    readonly system: System,
    override readonly app: Hono,
  ) {
    super(app)
  }

  static async start(
    kind: TestDbKind,
    options: {
      erp?: ErpAdapter
      now?: () => number
      database?: DbHandle
      integrations?: (database: DbHandle) => ChatIntegration[]
      log?: (message: string) => void
      chatDelivery?: Partial<DeliveryPolicy>
      outboxGiveUpAfterMs?: number
      /** OPENAI_* settings, e.g. pointing at the fake OpenAI server; none: rules only. */
      parserEnv?: Record<string, string>
    } = {},
  ): Promise<TestSystem> {
    const database = options.database ?? (await freshDatabase(kind))
    await seedDemoOrg(database.db)
    const integrations = options.integrations?.(database)
    const system = await composeSystem({
      database,
      parser: createParserFromEnv(options.parserEnv ?? {}),
      erp: options.erp,
      now: options.now,
      integrations,
      outboxBaseBackoffMs: 10,
      outboxGiveUpAfterMs: options.outboxGiveUpAfterMs,
      log: options.log,
      chatDelivery: options.chatDelivery,
    })
    return new TestSystem(database, system, createApp(system, { devMode: true }))
  }

  /** Simulates a process restart on the same database: new services, new worker. */
  async restart(options: { erp?: ErpAdapter; now?: () => number } = {}): Promise<TestSystem> {
    await this.system.outbox.stop()
    const system = await composeSystem({ database: this.database, parser: createParserFromEnv({}), erp: options.erp, now: options.now, outboxBaseBackoffMs: 10 })
    return new TestSystem(this.database, system, createApp(system, { devMode: true }))
  }

  /** A request's row, by its number. */
  request(requestNo: string) {
    return this.database.db.selectFrom('requests').selectAll().where('request_no', '=', requestNo).executeTakeFirstOrThrow()
  }

  /** Who holds a pending task on the request now. */
  async pendingApprovers(requestNo: string): Promise<string[]> {
    const rows = await this.database.db
      .selectFrom('approval_tasks')
      .innerJoin('requests', 'requests.id', 'approval_tasks.request_id')
      .select('approval_tasks.approver_id')
      .where('requests.request_no', '=', requestNo)
      .where('approval_tasks.status', '=', 'pending')
      .execute()
    return rows.map((r) => r.approver_id)
  }

  async close(): Promise<void> {
    await Promise.all(this.system.integrations.map((i) => i.stop?.()))
    await this.system.outbox.stop()
    await this.database.close()
  }
}
