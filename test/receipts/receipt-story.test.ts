import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppSettings } from '../../workflow/receipts/settings/app-settings.js'
import { DB_KINDS } from '../helpers/databases.js'
import { COMPANY, DINNER, PHOTO, einvoicePdf, railwayTicketPdf } from './invoice-fixtures.js'
import { ReceiptsSystem } from './receipts-system.js'
import { seedClaim } from './seeded-claims.js'

const NOW = Date.parse('2026-11-25T10:00:00+08:00')
const TICKET = { number: '26119110000000123456', issueDate: '2026-11-19', departureDate: '2026-11-20', train: 'G123', fare: '553.00', buyerName: COMPANY.name, buyerTaxId: COMPANY.taxId }

describe.each(DB_KINDS)('an e-invoice sent in the simulator (%s)', (kind) => {
  let t: ReceiptsSystem
  beforeEach(async () => {
    t = await ReceiptsSystem.start(kind, () => NOW)
    await new AppSettings(t.database.db).write('company', { name: COMPANY.name, taxIds: [COMPANY.taxId] }, 'admin')
  })
  afterEach(async () => {
    await t.close()
  })

  it('PDF → prefilled, policy-checked claim → approver card with context and flags', async () => {
    const pdf = await railwayTicketPdf(TICKET)
    const sent = await t.send('zhangsan', '', [{ name: '高铁票.pdf', mimeType: 'application/pdf', bytes: pdf }])
    expect(sent.status).toBe(200)
    expect(sent.messages[0]?.text).toBe('识别到发票：¥553.00，2026-11-20，高铁票')
    const draft = sent.messages.find((m) => m.card)?.card
    expect(draft?.fields).toEqual(
      expect.arrayContaining([
        { label: '费用类型', value: '差旅费' },
        { label: '金额', value: '¥553.00' },
        { label: '发生日期', value: '2026-11-20' },
        { label: '发票', value: TICKET.number },
        { label: '附件', value: '高铁票.pdf（发票 ¥553.00，2026-11-20，高铁票）' },
      ]),
    )
    expect(draft?.actions.map((a) => a.id)).toEqual(['confirm', 'edit', 'cancel'])

    const confirmed = await t.tap(draft!.id, 'confirm', 'zhangsan')
    const requestNo = /BX-\d{6}-\d{4}/.exec(confirmed.body.message)?.[0]
    expect(requestNo).toBeDefined()
    const approverCard = (await t.cards('lisi', requestNo)).find((c) => c.actions.some((a) => a.id === 'approve'))!
    expect(approverCard.notes[0]).toBe('📊 张三本月第1笔差旅费报销，累计 ¥553')
    expect(approverCard.fields).toContainEqual({ label: '附件', value: '高铁票.pdf（发票 ¥553.00，2026-11-20，高铁票）' })
    // The requester's own card carries the file but not the approver's context.
    expect((await t.cards('zhangsan', requestNo)).every((c) => !c.notes.some((n) => n.startsWith('📊')))).toBe(true)

    // The same ticket from someone else: the duplicate-invoice policy sees the number the PDF gave.
    const again = await t.send('wangwu', '', [{ name: 'ticket.pdf', mimeType: 'application/pdf', bytes: pdf }])
    const blocked = again.messages.find((m) => m.card)?.card
    expect(blocked?.notes.join('\n')).toContain(`⛔ 规则 INVOICE_DUPLICATE：发票 ${TICKET.number} 已在 ${requestNo}（张三）中报销过`)
    expect(blocked?.actions.map((a) => a.id)).toEqual(['edit', 'cancel'])
  })

  it('flags on the approver card come from history, and an invoice to another buyer is pointed out', async () => {
    const meals = [45, 62.5, 80, 55, 48, 71]
    for (const [i, amount] of meals.entries()) await seedClaim(t.database.db, { by: 'zhangsan', amount, category: 'meal', date: `2026-${String(5 + i).padStart(2, '0')}-14` })
    const pdf = await einvoicePdf({ ...DINNER, issueDate: '2026-11-22', buyerName: '张三个人', buyerTaxId: '110101199001011234' })
    const sent = await t.send('zhangsan', '客户晚餐', [{ name: 'dinner.pdf', mimeType: 'application/pdf', bytes: pdf }])
    expect(sent.messages[0]?.text).toBe(`识别到发票：¥530.00，2026-11-22，餐饮服务\n⚠️ 发票购买方为「张三个人」（税号 110101199001011234），不是本公司 ${COMPANY.name}（${COMPANY.taxId}）`)
    const draft = sent.messages.find((m) => m.card)!.card!
    const { body } = await t.tap(draft.id, 'confirm', 'zhangsan')
    const requestNo = /BX-\d{6}-\d{4}/.exec(body.message)![0]
    const approverCard = (await t.cards('lisi', requestNo))[0]!
    expect(approverCard.notes.slice(0, 4)).toEqual([
      // Six May–October meals averaging ¥60.25 a month: ¥530 is 780 % above.
      '📊 张三本月第1笔餐费报销，累计 ¥530，高于部门月均 780%',
      `🚩 发票 ${DINNER.number}：发票购买方为「张三个人」（税号 110101199001011234），不是本公司 ${COMPANY.name}（${COMPANY.taxId}）`,
      '🚩 金额 ¥530 远高于张三以往的餐费（中位数 ¥58.75，共 6 笔）',
      expect.stringMatching(/^▶ 第1步/),
    ])
  })

  it('keeps a photo for manual entry and attaches it to the claim typed next', async () => {
    const sent = await t.send('zhangsan', '', [{ name: 'taxi.jpg', mimeType: 'image/jpeg', bytes: PHOTO }])
    expect(sent.messages.map((m) => m.text)).toEqual(['已保存「taxi.jpg」，但无法自动识别：图片中的文字无法自动识别（系统不做图像识别）。请手动输入金额和类别，例如「报销交通费 58元 2026-11-25」，提交时会附上这个文件。'])
    const typed = await t.send('zhangsan', '报销昨天打车费58元')
    const draft = typed.messages.find((m) => m.card)!.card!
    expect(draft.fields).toContainEqual({ label: '附件', value: 'taxi.jpg（需人工核对）' })
    const row = await t.database.db.selectFrom('requests').select('payload').where('status', '=', 'draft').executeTakeFirstOrThrow()
    expect(JSON.parse(row.payload)).toMatchObject({ category: 'transport', amountFen: 58_00, attachments: 1 })
    // The stored bytes are the photo's.
    const stored = await t.system.services.attachments.ofRequest((await t.database.db.selectFrom('requests').select('id').where('status', '=', 'draft').executeTakeFirstOrThrow()).id)
    expect(await t.system.services.attachments.content(stored[0]!.id)).toEqual(PHOTO)
  })

  it('a photo sent while a claim waits for 确认 is attached to that claim, and its checks run again', async () => {
    const typed = await t.send('zhangsan', '报销差旅费6000元')
    const draft = typed.messages.find((m) => m.card)!.card!
    expect(draft.notes.join('\n')).toContain('需附发票或票据，本次未附')
    const sent = await t.send('zhangsan', '', [{ name: 'receipt.jpg', mimeType: 'image/jpeg', bytes: PHOTO }])
    expect(sent.messages[0]?.text).toBe('已保存「receipt.jpg」，但无法自动识别：图片中的文字无法自动识别（系统不做图像识别）。它仍会附在这份申请上，金额请以卡片为准。\n已附上 1 个文件，请核对后确认：')
    const revised = sent.messages.find((m) => m.card)!.card!
    expect(revised.fields).toContainEqual({ label: '附件', value: 'receipt.jpg（需人工核对）' })
    expect(revised.notes.join('\n')).not.toContain('本次未附')
    const confirmed = await t.send('zhangsan', '确认')
    expect(confirmed.messages[0]?.text).toMatch(/^已提交，单号 BX-/)
    const request = await t.database.db.selectFrom('requests').select(['id', 'payload']).where('status', '=', 'pending').executeTakeFirstOrThrow()
    expect(JSON.parse(request.payload)).toMatchObject({ amountFen: 6000_00, attachments: 1 })
    expect((await t.system.services.attachments.ofRequest(request.id)).map((f) => f.name)).toEqual(['receipt.jpg'])
  })

  it('keeps the old JSON contract and refuses an empty message', async () => {
    expect((await t.send('zhangsan', '帮助')).status).toBe(200)
    const empty = await t.send('zhangsan', '   ')
    expect(empty.status).toBe(400)
    expect(JSON.stringify(empty.body)).toContain('text or an attachment is required')
  })
})
