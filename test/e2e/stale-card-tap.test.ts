import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'
import { approver, flow, users } from '../workflow/flow-harness.js'

/**
 * A card's buttons act on the task it showed (Card.actsOn, sent back with the tap as Feishu's
 * button value carries it): a double tap, when the next step is the same approver's, must not
 * decide that step unseen.
 */
describe.each(DB_KINDS)('a tap acts on the task its card showed (%s)', (kind) => {
  let t: TestSystem
  beforeAll(async () => {
    t = await TestSystem.start(kind)
    await t.system.services.requests.templates.publish('purchase', flow([approver({ sources: users('lisi') }), approver({ sources: users('lisi') })], { dedup: false }), 'admin')
  })
  afterAll(async () => {
    await t.close()
  })

  const tap = async (cardId: string, userId: string, taskId: string | undefined) => {
    const response = await t.app.request(`/api/dev/cards/${cardId}/actions/approve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId, taskId }) })
    return { status: response.status, body: (await response.json()) as { ok: boolean; message: string } }
  }

  it('a second tap on the same card is refused; the step it did not show waits for its own card', async () => {
    const draft = (await t.say('zhangsan', '申请采购1台服务器，预算9000')).find((m) => m.card)!.card!
    const requestNo = /CG-\d{6}-\d{4}/.exec((await t.tap(draft.id, 'confirm', 'zhangsan')).body.message)![0]
    const shown = await t.cardOffering('lisi', requestNo, 'approve')
    expect(shown.actsOn).toBeDefined()

    expect(await tap(shown.id, 'lisi', shown.actsOn)).toMatchObject({ status: 200, body: { ok: true } })
    expect(await tap(shown.id, 'lisi', shown.actsOn)).toEqual({ status: 409, body: { ok: false, code: 'ALREADY_DECIDED', message: '你已处理过该审批 / you have already decided on this request' } })
    expect((await t.request(requestNo)).status).toBe('pending')

    const next = await t.cardOffering('lisi', requestNo, 'approve')
    expect(next.actsOn).not.toBe(shown.actsOn)
    expect(await tap(next.id, 'lisi', next.actsOn)).toMatchObject({ status: 200, body: { ok: true } })
    expect((await t.request(requestNo)).status).toBe('approved')
  })
})
