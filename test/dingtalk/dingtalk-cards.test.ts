import { describe, expect, it } from 'vitest'
import type { Card } from '../../bot/cards/card.js'
import { renderRequestCard, type CardAudience } from '../../bot/cards/request-card.js'
import { actionCard, actionCardRobotMessage, actionCardWebhookMessage, cardParamMap, parseCardTap, parseTapText, tapText } from '../../bot/platforms/dingtalk/dingtalk-cards.js'
import type { RequestView, TaskView } from '../../workflow/request-view.js'

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

const task = (id: string, step: number, approverId: string, approverName: string, status: TaskView['status']): TaskView => ({
  id,
  step,
  approverId,
  approverName,
  status,
  comment: null,
  decidedAt: status === 'pending' ? null : 1_780_000_000_000,
  round: 0,
  delegatedFrom: null,
  autoReason: null,
})

/** A two-step expense at its second step (孙八), the first (李四) decided: every kind of action is on some card. */
const pending: RequestView = {
  id: 'r-1',
  requestNo: 'BX-202611-0001',
  type: 'expense',
  typeLabel: '费用报销',
  title: '差旅费',
  status: 'pending',
  requester: { id: 'zhangsan', name: '张三', departmentName: '研发部' },
  payload: { category: 'travel', reason: '出差' },
  amountFen: 350_000,
  route: [
    { name: '直属上级审批', mode: 'any', approverIds: ['lisi'], reason: '报销需直属上级审批' },
    { name: '财务审批', mode: 'any', approverIds: ['sunba'], reason: '报销需财务复核' },
  ],
  currentStep: 1,
  round: 0,
  routeRound: 0,
  templateVersion: null,
  tasks: [task('t-1', 0, 'lisi', '李四', 'approved'), task('t-2', 1, 'sunba', '孙八', 'pending')],
  routingNotes: [],
  policyFindings: [],
  comments: [],
  people: { zhangsan: '张三', lisi: '李四', sunba: '孙八' },
  createdAt: 1_780_000_000_000,
  submittedAt: 1_780_000_000_000,
  finishedAt: null,
  posting: null,
}
const draft: RequestView = { ...pending, requestNo: null, status: 'draft', currentStep: 0, tasks: [], submittedAt: null }
const VIEWS: RequestView[] = [
  pending,
  { ...pending, status: 'returned', tasks: [{ ...pending.tasks[0]!, status: 'returned' }] },
  draft,
  { ...draft, route: [{ ...draft.route[0]!, approverIds: [], awaitingSelection: true }, draft.route[1]!] },
  { ...draft, policyFindings: [{ code: 'R1', severity: 'block', message: '超标', fix: '改金额' }] },
]
const AUDIENCES: CardAudience[] = ['requester', 'approver', 'cc', 'requester-desk', 'approver-desk']

/** Every card the request renderer makes from those views, for every audience and person. */
const REQUEST_CARDS: Card[] = VIEWS.flatMap((view, v) =>
  AUDIENCES.flatMap((audience) => ['zhangsan', 'lisi', 'sunba'].map((person, p) => renderRequestCard(view, audience, person, `${v}${p}c0ffee-0000-4000-8000-${String(AUDIENCES.indexOf(audience)).padStart(12, '0')}`))),
)

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

  it('maps every action a request card can offer back from its ActionCard text, with or without a typed comment', () => {
    const offered = new Set(REQUEST_CARDS.flatMap((c) => c.actions.map((a) => a.id)))
    // The ids with '-' and ':' are among them, or this test would prove nothing about them.
    expect([...offered]).toEqual(expect.arrayContaining(['approve', 'confirm', 'confirm-select', 'add-before', 'add-after', 'return', 'return:0', 'transfer', 'comment', 'resubmit', 'withdraw', 'urge']))
    // Without a request number approve/reject have no chat command either: they travel as tap tokens too.
    for (const shown of REQUEST_CARDS.flatMap((c) => [c, { ...c, requestNo: undefined }])) {
      for (const action of shown.actions) {
        const sent = tapText(shown, action)
        if (shown.requestNo && (action.id === 'approve' || action.id === 'reject')) {
          expect(sent).toBe(`${action.label} ${shown.requestNo}`)
          continue
        }
        const tap = { cardIdPrefix: shown.id.slice(0, 8), actionId: action.id }
        expect(parseTapText(sent)).toEqual(tap)
        expect(parseTapText(`${sent} 王五 请帮忙看`)).toEqual({ ...tap, comment: '王五 请帮忙看' })
      }
    }
  })

  it('lists the buttons the robot API cannot show as commands to send, so none is out of reach', () => {
    const desk = REQUEST_CARDS.find((c) => c.actions.length > 5)!
    const content = actionCard(desk)
    const { msgKey, msgParam } = actionCardRobotMessage(content)
    expect(msgKey).toBe('sampleActionCard5')
    const rest = desk.actions.slice(5)
    expect(rest.length).toBeGreaterThan(0)
    for (const action of rest) expect(msgParam.text).toContain(`「${tapText(desk, action)}」`)
    expect(msgParam.text!.startsWith(content.text)).toBe(true)
    // The sessionWebhook ActionCard shows them all as buttons, and only title and URL per button.
    const webhook = actionCardWebhookMessage(content) as { actionCard: { btns: object[]; text: string } }
    expect(webhook.actionCard.btns).toEqual(content.buttons.map((b) => ({ title: b.title, actionURL: b.actionURL })))
    expect(webhook.actionCard.text).toBe(content.text)
  })

  it('picks the robot message template by the number of buttons', () => {
    const three = actionCardRobotMessage(actionCard(card))
    expect(three.msgKey).toBe('sampleActionCard3')
    expect(three.msgParam).toMatchObject({ actionTitle1: '同意', actionTitle3: '转交' })
    expect(actionCardRobotMessage(actionCard({ ...card, actions: card.actions.slice(0, 1) })).msgKey).toBe('sampleActionCard')
    expect(actionCardRobotMessage(actionCard({ ...card, actions: [] })).msgKey).toBe('sampleMarkdown')
  })
})
