import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DB_KINDS } from '../helpers/databases.js'
import { FeishuHarness, OPEN_ID } from './feishu-harness.js'

describe.each(DB_KINDS)('修改 on a Feishu confirmation card (%s)', (kind) => {
  let h: FeishuHarness
  beforeEach(async () => {
    h = await FeishuHarness.start(kind)
  })
  afterEach(async () => {
    await h.close()
  })

  it('修改 → a card of fields → 金额 → the answer → the confirmation card, updated by PATCH, shows it', async () => {
    await h.say(OPEN_ID.zhangsan, '报销打车费58元')
    await h.settled()
    const draft = h.cardOffering(OPEN_ID.zhangsan, 'edit')
    expect(draft.buttons.map((b) => b.value.action)).toEqual(['confirm', 'edit', 'cancel'])

    const tapped = await h.tap(OPEN_ID.zhangsan, draft, 'edit')
    expect(tapped.body.toast).toMatchObject({ type: 'success', content: '请选择要修改的项目' })
    await h.settled()
    const choice = h.cardOffering(OPEN_ID.zhangsan, 'say:修改金额')
    expect(choice.title).toBe('要修改哪一项？')
    expect(choice.buttons.map((b) => b.label)).toEqual(['费用类型', '金额', '发生日期', '费用期间', '事由'])

    await h.tap(OPEN_ID.zhangsan, choice, 'say:修改金额')
    await h.settled()
    expect(h.texts(OPEN_ID.zhangsan)).toContain('请问金额改成什么？')
    await h.say(OPEN_ID.zhangsan, '88')
    await h.settled()
    expect(h.texts(OPEN_ID.zhangsan)).toContain('已修改金额，请核对后确认：')
    const copies = h.cards(OPEN_ID.zhangsan).filter((c) => c.buttons.some((b) => b.value.action === 'confirm'))
    expect(copies).toHaveLength(2)
    for (const copy of copies) expect(copy.text).toContain('¥88.00')

    const confirmed = await h.tap(OPEN_ID.zhangsan, copies.at(-1)!, 'confirm')
    expect(confirmed.body.toast?.content).toMatch(/^已提交，单号 BX-/)
  })
})
