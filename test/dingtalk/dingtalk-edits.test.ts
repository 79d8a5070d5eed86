import { afterEach, describe, expect, it } from 'vitest'
import { DB_KINDS } from '../helpers/databases.js'
import { requestNoIn, startDingtalk, type DingtalkHarness } from './dingtalk-harness.js'

const actionsOf = (params: Record<string, string>) => (JSON.parse(params.actions ?? '[]') as { id: string; label: string }[])

describe.each(DB_KINDS)('修改 on a DingTalk confirmation card (%s)', (kind) => {
  let h: DingtalkHarness
  afterEach(async () => {
    await h?.close()
  })

  it('interactive card: 修改 → which field → new value → the card shows it (stream mode)', async () => {
    h = await startDingtalk(kind, { mode: 'stream' })
    const { fake } = h
    await fake.say('dt-zhangsan', '报销打车费58元')
    await h.settle()
    const [draft] = fake.cardsOf('dt-zhangsan')
    expect(actionsOf(draft!.params).map((a) => a.id)).toEqual(['confirm', 'edit', 'cancel'])

    await fake.tapCard('dt-zhangsan', draft!.outTrackId, 'edit')
    await h.settle()
    const choice = fake.cardsOf('dt-zhangsan').at(-1)!
    expect(choice.params.title).toBe('要修改哪一项？')
    expect(actionsOf(choice.params).find((a) => a.label === '金额')?.id).toBe('say:修改金额')

    await fake.tapCard('dt-zhangsan', choice.outTrackId, 'say:修改金额')
    await h.settle()
    expect(fake.texts('dt-zhangsan')).toContain('请问金额改成什么？')
    await fake.say('dt-zhangsan', '66')
    await h.settle()
    expect(fake.cardsOf('dt-zhangsan').at(-1)!.params.markdown).toContain('**金额**：¥66.00')
    // The first card was updated in place as well.
    expect(draft!.params.markdown).toContain('**金额**：¥66.00')
  })

  it('without a card template: the ActionCard buttons send 「修改」 and then 「修改金额」 as text (http mode)', async () => {
    h = await startDingtalk(kind, { mode: 'http', cards: 'actionCard' })
    const { fake } = h
    await fake.say('dt-zhangsan', '报销打车费58元')
    await h.settle()
    expect(fake.actionCardsOf('dt-zhangsan')[0]!.buttons.map((b) => b.title)).toEqual(['确认提交', '修改', '取消'])

    await fake.tapActionCardButton('dt-zhangsan', '修改')
    await h.settle()
    const choice = fake.actionCardsOf('dt-zhangsan').at(-1)!
    expect(choice.buttons.map((b) => decodeURIComponent(b.url.split('content=')[1]!))).toEqual(['修改费用类型', '修改金额', '修改发生日期', '修改费用期间', '修改事由'])

    await fake.tapActionCardButton('dt-zhangsan', '金额')
    await h.settle()
    expect(fake.texts('dt-zhangsan').at(-1)).toBe('请问金额改成什么？')
    await fake.say('dt-zhangsan', '七十二')
    await h.settle()
    expect(fake.actionCardsOf('dt-zhangsan').at(-1)!.text).toContain('**金额**：¥72.00')

    await fake.tapActionCardButton('dt-zhangsan', '确认提交')
    await h.settle()
    const requestNo = requestNoIn(fake.texts('dt-zhangsan'))
    expect(requestNo).toMatch(/^BX-/)
  })
})
