import { describe, expect, it } from 'vitest'
import type { Card } from '../../bot/cards/card.js'
import { actionCard, actionCardRobotMessage, cardParamMap, parseCardTap, parseTapText, tapText } from '../../bot/platforms/dingtalk/dingtalk-cards.js'

const card: Card = {
  id: '1a2b3c4d-0000-4000-8000-000000000000',
  title: '张三的费用报销',
  requestNo: 'BX-202611-0001',
  status: '待审批 · 李四',
  tone: 'blue',
  fields: [{ label: '金额', value: '¥3,500.00' }],
  notes: ['▶ 第1步 直属上级审批：李四 待审批'],
  actions: [
    { id: 'approve', label: '同意', style: 'primary', withComment: true },
    { id: 'reject', label: '驳回', style: 'danger', withComment: true },
    { id: 'transfer', label: '转交', withComment: true },
  ],
}

describe('DingTalk card rendering', () => {
  it('gives the template only string variables', () => {
    const params = cardParamMap(card)
    expect(Object.values(params).every((v) => typeof v === 'string')).toBe(true)
    expect(JSON.parse(params.actions!)).toEqual([
      { id: 'approve', label: '同意', style: 'primary', withComment: true },
      { id: 'reject', label: '驳回', style: 'danger', withComment: true },
      { id: 'transfer', label: '转交', style: 'default', withComment: true },
    ])
    expect(params.markdown).toBe('**状态**：待审批 · 李四  \n**金额**：¥3,500.00  \n  \n> ▶ 第1步 直属上级审批：李四 待审批')
    expect(cardParamMap({ ...card, actions: [] }).hasActions).toBe('false')
  })

  it('reads the tapped button and its comment from a card callback', () => {
    const content = JSON.stringify({ cardPrivateData: { actionIds: ['reject'], params: { action: 'reject', comment: ' 缺发票 ' } } })
    expect(parseCardTap(content)).toEqual({ actionId: 'reject', comment: '缺发票' })
    expect(parseCardTap(JSON.stringify({ cardPrivateData: { actionIds: ['approve'], params: {} } }))).toEqual({ actionId: 'approve' })
    // The task the card showed, from a template that sends actsOn back.
    expect(parseCardTap(JSON.stringify({ cardPrivateData: { actionIds: ['approve'], params: { action: 'approve', task: 't-1' } } }))).toEqual({ actionId: 'approve', taskId: 't-1' })
    expect(parseCardTap('not json')).toBeUndefined()
    expect(parseCardTap(JSON.stringify({ cardPrivateData: {} }))).toBeUndefined()
  })

  it('makes ActionCard buttons send text commands, or a tap token the adapter maps back', () => {
    expect(card.actions.map((a) => tapText(card, a))).toEqual(['同意 BX-202611-0001', '驳回 BX-202611-0001', '转交 #1a2b3c4d/transfer'])
    const draft = { ...card, requestNo: undefined, actions: [{ id: 'confirm', label: '确认提交' }] }
    expect(tapText(draft, draft.actions[0]!)).toBe('确认提交 #1a2b3c4d/confirm')
    expect(parseTapText(' 确认提交 #1a2b3c4d/confirm ')).toEqual({ cardIdPrefix: '1a2b3c4d', actionId: 'confirm' })
    expect(parseTapText('转交 #1a2b3c4d/transfer 王五 请帮忙看')).toEqual({ cardIdPrefix: '1a2b3c4d', actionId: 'transfer', comment: '王五 请帮忙看' })
    expect(parseTapText('同意 BX-202611-0001')).toBeUndefined()

    const content = actionCard(card)
    expect(content.buttons.map((b) => b.actionURL)).toEqual(card.actions.map((a) => `dtmd://dingtalkclient/sendMessage?content=${encodeURIComponent(tapText(card, a))}`))
    expect(content.text).toContain('「同意 BX-202611-0001 理由：…」')
    expect(content.text).toContain('「转交 #1a2b3c4d/transfer 内容」')
  })

  it('picks the robot message template by the number of buttons', () => {
    const three = actionCardRobotMessage(actionCard(card))
    expect(three.msgKey).toBe('sampleActionCard3')
    expect(three.msgParam).toMatchObject({ actionTitle1: '同意', actionTitle3: '转交' })
    expect(actionCardRobotMessage(actionCard({ ...card, actions: card.actions.slice(0, 1) })).msgKey).toBe('sampleActionCard')
    expect(actionCardRobotMessage(actionCard({ ...card, actions: [] })).msgKey).toBe('sampleMarkdown')
  })
})
