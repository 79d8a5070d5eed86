import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import worker, { type WorkerEnv } from '../../server/worker.js'
import { FeishuWire } from './feishu-wire.js'
import { OPEN_ID } from './feishu-tenant.js'

/** Reads the deployment's database directly, whichever it is: rows of one SQL query with `?` parameters. */
export type ReadDatabase = <Row>(query: string, ...params: (string | number)[]) => Promise<Row[]>

const workerEnv = env as WorkerEnv

/** Invocations whose waitUntil work (what the app handles after acknowledging) may still be running. */
let open: Promise<void>[] = []

/** A request to the worker's fetch handler, as Cloudflare would make it, with an execution context of its own. */
async function send(path: string, init: RequestInit): Promise<Response> {
  const ctx = createExecutionContext()
  const response = await worker.fetch(new Request(`https://approvals.example${path}`, init), workerEnv, ctx)
  open.push(waitOnExecutionContext(ctx))
  return response
}

/** Waits for what the worker handed to ctx.waitUntil: the work done after the acknowledgement. */
async function settled(): Promise<void> {
  const waiting = open
  open = []
  await Promise.all(waiting)
}

/**
 * The Feishu journey through the real worker inside workerd, for each database a deployment can
 * have (the Durable Object's storage, MySQL through Hyperdrive): the same steps and assertions,
 * read back from the database that `read` opens.
 */
export function feishuJourney(database: string, read: ReadDatabase): void {
  const vouchers = () =>
    read<{ voucher_no: string; request_no: string; debit: number; credit: number }>(
      `select v.voucher_no, v.request_no, sum(l.debit_fen) as debit, sum(l.credit_fen) as credit
         from ledger_vouchers v join ledger_lines l on l.voucher_id = v.id
        group by v.id, v.voucher_no, v.request_no, v.created_at order by v.created_at`,
    )

  describe(`the worker inside workerd: Feishu in, ledger voucher out (${database})`, () => {
    it('signed event → card to the fake → approvals by card → cron drains the outbox → voucher in the database', async () => {
      const wire = new FeishuWire(send)

      const said = await wire.say(OPEN_ID.zhangsan, '提交本月差旅费 3500元')
      expect(said.status).toBe(200)
      await settled()
      const confirmation = await wire.cardOffering(OPEN_ID.zhangsan, 'confirm')
      expect(confirmation.title).toContain('请确认')

      const confirmed = await wire.tap(OPEN_ID.zhangsan, confirmation, 'confirm')
      expect(confirmed.status).toBe(200)
      expect(confirmed.body.toast?.type).toBe('success')
      const requestNo = /BX-\d{6}-\d{4}/.exec(confirmed.body.toast!.content)?.[0]
      expect(requestNo).toBeDefined()
      await settled()

      // 李四 never wrote to the bot: found through the contact API by company e-mail.
      const lisiCard = await wire.cardOffering(OPEN_ID.lisi, 'approve')
      expect(lisiCard.title).toContain(requestNo)
      const approved = await wire.tap(OPEN_ID.lisi, lisiCard, 'approve')
      expect(approved.body.toast).toMatchObject({ type: 'success', content: `已同意 ${requestNo}` })
      await settled()

      const sunbaCard = await wire.cardOffering(OPEN_ID.sunba, 'approve')
      const final = await wire.tap(OPEN_ID.sunba, sunbaCard, 'approve', '票据齐全')
      expect(final.body.toast?.type).toBe('success')
      await settled()

      // Nothing is posted until the cron trigger runs the scheduled handler.
      const before = await vouchers()
      expect(before).toEqual([])
      const ctx = createExecutionContext()
      await worker.scheduled(createScheduledController({ cron: '* * * * *', scheduledTime: Date.now() }), workerEnv, ctx)
      await waitOnExecutionContext(ctx)

      const [voucher, ...others] = await vouchers()
      expect(others).toEqual([])
      expect(voucher?.request_no).toBe(requestNo)
      expect(voucher?.debit).toBe(350_000)
      expect(voucher?.credit).toBe(350_000)
      expect((await wire.texts(OPEN_ID.zhangsan)).some((t) => t.startsWith(`已入账，凭证号 ${voucher!.voucher_no}`))).toBe(true)
      for (const card of await wire.cards(OPEN_ID.sunba)) {
        expect(card.status).toBe(`已入账 · 凭证号 ${voucher!.voucher_no}`)
        expect(card.buttons).toEqual([])
      }
    })
  })

  describe(`the same safety guarantees as on Node, inside workerd (${database})`, () => {
    const wire = new FeishuWire(send)

    it('a redelivered event is acknowledged again and handled once', async () => {
      const line = wire.line(OPEN_ID.zhangsan, '提交本月交通费 88元')
      const before = (await wire.cards(OPEN_ID.zhangsan)).length
      const deliveries = await Promise.all([wire.deliver(line), wire.deliver(line), wire.deliver(line)])
      expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200])
      await settled()
      expect((await wire.cards(OPEN_ID.zhangsan)).length - before).toBe(1)
    })

    it('two taps on one approval card at once: one decision, one next approver card', async () => {
      await wire.say(OPEN_ID.zhangsan, '提交本月差旅费 1200元')
      await settled()
      const confirmed = await wire.tap(OPEN_ID.zhangsan, await wire.cardOffering(OPEN_ID.zhangsan, 'confirm'), 'confirm')
      const requestNo = /BX-\d{6}-\d{4}/.exec(confirmed.body.toast!.content)![0]
      await settled()

      const lisiCard = await wire.cardOffering(OPEN_ID.lisi, 'approve')
      expect(lisiCard.title).toContain(requestNo)
      const taps = await Promise.all([wire.tap(OPEN_ID.lisi, lisiCard, 'approve'), wire.tap(OPEN_ID.lisi, lisiCard, 'approve')])
      await settled()
      expect(taps.map((t) => t.body.toast?.type).sort()).toEqual(['error', 'success'])
      const decisions = await read<{ n: number }>(
        `select count(*) as n from approval_tasks t join requests r on r.id = t.request_id where r.request_no = ? and t.approver_id = 'lisi' and t.status = 'approved'`,
        requestNo,
      )
      expect(decisions).toEqual([{ n: 1 }])
      expect((await wire.cards(OPEN_ID.sunba)).filter((c) => c.title.includes(requestNo) && c.buttons.some((b) => b.value.action === 'approve'))).toHaveLength(1)
    })
  })

  describe(`the cron runs the approval clock inside workerd (${database})`, () => {
    const wire = new FeishuWire(send)
    const cron = async () => {
      const ctx = createExecutionContext()
      await worker.scheduled(createScheduledController({ cron: '* * * * *', scheduledTime: Date.now() }), workerEnv, ctx)
      await waitOnExecutionContext(ctx)
    }

    it('reminds an approver whose task is overdue, once; hands over the task of an approver who left', async () => {
      await wire.say(OPEN_ID.zhangsan, '提交本月差旅费 900元')
      await settled()
      const confirmed = await wire.tap(OPEN_ID.zhangsan, await wire.cardOffering(OPEN_ID.zhangsan, 'confirm'), 'confirm')
      const requestNo = /BX-\d{6}-\d{4}/.exec(confirmed.body.toast!.content)![0]
      await settled()
      const pendingOf = (approver: string) =>
        read<{ n: number }>(`select count(*) as n from approval_tasks t join requests r on r.id = t.request_id where r.request_no = ? and t.approver_id = ? and t.status = 'pending'`, requestNo, approver)

      // The reminder is made due in the database, as if the node's SLA time had passed.
      await read(`update approval_tasks set remind_at = ? where approver_id = 'lisi' and status = 'pending' and request_id = (select id from requests where request_no = ?)`, Date.now() - 1000, requestNo)
      await cron()
      await cron()
      expect((await wire.texts(OPEN_ID.lisi)).filter((t) => t.startsWith('⏰ 审批提醒') && t.includes(requestNo))).toHaveLength(1)

      // 李四 leaves, deactivated behind the app's back: the next run gives his task to his supervisor 王五.
      await read(`update users set active = 0 where id = 'lisi'`)
      try {
        await cron()
        expect(await pendingOf('lisi')).toEqual([{ n: 0 }])
        expect(await pendingOf('wangwu')).toEqual([{ n: 1 }])
      } finally {
        await read(`update users set active = 1 where id = 'lisi'`)
      }
    })
  })
}
