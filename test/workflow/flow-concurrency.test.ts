import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyAuditChain } from '../../workflow/audit-chain.js'
import { isDomainError } from '../../workflow/errors.js'
import { approver, flow, FlowHarness, users } from './flow-harness.js'

const settle = <T>(work: Promise<T>) =>
  work.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => {
      if (!isDomainError(error)) throw error
      return { ok: false as const, error }
    },
  )

/** Real parallel transactions on MariaDB: the row lock on the request is what keeps them apart. */
describe('concurrent actions on one request (mysql)', () => {
  let h: FlowHarness
  beforeAll(async () => {
    h = await FlowHarness.open('mysql')
  })
  afterAll(async () => {
    await h.close()
  })

  const pendingRows = (requestId: string) => h.db.selectFrom('approval_tasks').select(['approver_id', 'step']).where('request_id', '=', requestId).where('status', '=', 'pending').execute()

  it('three countersign approvals at once: all count, the step advances exactly once', async () => {
    await h.publish('purchase', flow([approver({ sources: users('lisi', 'wangwu', 'zhaoliu'), mode: 'countersign' }), approver({ sources: users('qianqi') })]))
    for (let round = 0; round < 8; round++) {
      const { request } = await h.submit('zhangsan', 'purchase', { item: '工作站', quantity: 3, amountFen: 30_000_00 })
      const results = await Promise.all(['lisi', 'wangwu', 'zhaoliu'].map((who) => settle(h.decisions.decide({ requestId: request.id, actorId: who, decision: 'approve' }))))
      expect(results.every((r) => r.ok)).toBe(true)
      expect(results.map((r) => (r.ok ? r.value.outcome : r.error.code)).sort()).toEqual(['advanced', 'recorded', 'recorded'])
      expect(await pendingRows(request.id)).toEqual([{ approver_id: 'qianqi', step: 1 }])
      const approvals = await h.db.selectFrom('audit_log').select('id').where('entity_id', '=', request.id).where('action', '=', 'task.approved').execute()
      expect(approvals).toHaveLength(3)
    }
  })

  it('a countersign approval and a rejection at once: the request ends rejected either way, nothing left pending', async () => {
    await h.publish('purchase', flow([approver({ sources: users('lisi', 'wangwu'), mode: 'countersign' }), approver({ sources: users('qianqi') })]))
    for (let round = 0; round < 8; round++) {
      const { request } = await h.submit('zhangsan', 'purchase', { item: '工作站', quantity: 1, amountFen: 10_000_00 })
      const [a, b] = await Promise.all([
        settle(h.decisions.decide({ requestId: request.id, actorId: 'lisi', decision: 'approve' })),
        settle(h.decisions.decide({ requestId: request.id, actorId: 'wangwu', decision: 'reject' })),
      ])
      expect(b.ok).toBe(true)
      // Approve first: recorded, then the rejection ends it. Reject first: the approval finds the request finished.
      if (!a.ok) expect(a.error.code).toBe('INVALID_STATE')
      expect(await h.status(request.id)).toBe('rejected')
      expect(await pendingRows(request.id)).toEqual([])
    }
  })

  it('withdraw and approve at once on a one-step flow: exactly one wins, and the state says which', async () => {
    await h.publish('expense', flow([approver({ sources: users('lisi') })]))
    const winners: string[] = []
    for (let round = 0; round < 10; round++) {
      const { request } = await h.expense('zhangsan', 800)
      const [withdraw, approve] = await Promise.all([
        settle(h.requests.withdraw(request.id, 'zhangsan')),
        settle(h.decisions.decide({ requestId: request.id, actorId: 'lisi', decision: 'approve' })),
      ])
      expect([withdraw.ok, approve.ok].filter(Boolean)).toHaveLength(1)
      const loser = withdraw.ok ? approve : withdraw
      expect(loser.ok ? null : loser.error.code).toBe('INVALID_STATE')
      const status = await h.status(request.id)
      expect(status).toBe(withdraw.ok ? 'withdrawn' : 'approved')
      expect(await pendingRows(request.id)).toEqual([])
      const postings = await h.db.selectFrom('outbox').select('id').where('request_id', '=', request.id).execute()
      expect(postings).toHaveLength(status === 'approved' ? 1 : 0)
      winners.push(status)
    }
    expect(winners).toHaveLength(10)
  })

  it('withdraw and approve at once on a two-step flow: never a withdrawn request with open tasks', async () => {
    await h.publish('expense', flow([approver({ sources: users('lisi') }), approver({ sources: users('wangwu') })]))
    for (let round = 0; round < 10; round++) {
      const { request } = await h.expense('zhangsan', 800)
      const [withdraw] = await Promise.all([settle(h.requests.withdraw(request.id, 'zhangsan')), settle(h.decisions.decide({ requestId: request.id, actorId: 'lisi', decision: 'approve' }))])
      // Approve first moves to step 2, which nobody has decided yet: the withdrawal is then still allowed.
      expect(withdraw.ok).toBe(true)
      expect(await h.status(request.id)).toBe('withdrawn')
      expect(await pendingRows(request.id)).toEqual([])
    }
  })

  it('two claims with the same invoice submitted at once: one goes through, the other is told why', async () => {
    await h.publish('expense', flow([approver({ sources: users('lisi') })]))
    for (let round = 0; round < 5; round++) {
      const invoice = { number: `2431200000000000${String(round).padStart(4, '0')}` }
      const drafts = await Promise.all(['zhangsan', 'wujiu'].map((who) => h.draft(who, 'expense', { category: 'office', amountFen: 300_00, invoices: [invoice] })))
      const results = await Promise.all(drafts.map((d) => settle(h.requests.submit(d.id, d.requester_id))))
      expect(results.filter((r) => r.ok)).toHaveLength(1)
      const refused = results.find((r) => !r.ok)
      expect(refused && !refused.ok ? refused.error.message : '').toMatch(/【INVOICE_DUPLICATE】发票 24312000000000000+\d 已在 BX-/)
    }
  })

  it('many requests decided at once append to one unbroken audit chain', async () => {
    await h.publish('purchase', flow([approver({ sources: users('lisi') })]))
    const requests = await Promise.all(Array.from({ length: 12 }, (_, i) => h.submit(i % 2 ? 'zhangsan' : 'wujiu', 'purchase', { item: `耗材${i}`, quantity: 1, amountFen: 50_00 })))
    await Promise.all(requests.map(({ request }) => h.approve(request.id, 'lisi')))
    const seqs = (await h.db.selectFrom('audit_log').select('seq').orderBy('seq').execute()).map((r) => Number(r.seq))
    expect(seqs).toEqual(seqs.map((_, i) => i + 1))
    expect(await verifyAuditChain(h.db)).toMatchObject({ ok: true, rows: seqs.length })
  })
})
