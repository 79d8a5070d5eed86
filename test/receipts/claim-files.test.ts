import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Card } from '../../bot/cards/card.js'
import type { SimulatorItem } from '../../bot/platforms/dev/dev-platform.js'
import { AppSettings } from '../../workflow/receipts/settings/app-settings.js'
import { DB_KINDS } from '../helpers/databases.js'
import { COMPANY, DINNER, einvoiceXml, type InvoiceFields } from './invoice-fixtures.js'
import { ReceiptsSystem, type Upload } from './receipts-system.js'

const NOW = Date.parse('2026-11-25T10:00:00+08:00')
const MINUTE = 60_000

/** Items that imply no expense category: the bot has to ask which kind it is. */
const ADVICE: InvoiceFields = { ...DINNER, number: '26112000000055550001', item: '*咨询服务*咨询费' }
/** A second meal, ¥200. */
const LUNCH: InvoiceFields = { ...DINNER, number: '26112000000055550002', issueDate: '2026-11-19', amount: '188.68', tax: '11.32', total: '200.00' }

const xml = (f: InvoiceFields, name = `${f.number}.xml`): Upload => ({ name, mimeType: 'application/xml', bytes: new TextEncoder().encode(einvoiceXml(f)) })
const NOTES: Upload = { name: 'notes.txt', mimeType: 'text/plain', bytes: new TextEncoder().encode('出差行程备忘：周一去上海') }

const texts = (items: SimulatorItem[]) => items.flatMap((m) => (m.text ? [m.text] : []))
const cardIn = (items: SimulatorItem[]) => items.find((m) => m.card)?.card
const field = (card: Card | undefined, label: string) => card?.fields.find((f) => f.label === label)?.value

describe.each(DB_KINDS)('which files a claim takes, and what its amount is (%s)', (kind) => {
  let t: ReceiptsSystem
  let clock: number
  beforeEach(async () => {
    clock = NOW
    t = await ReceiptsSystem.start(kind, () => clock)
    await new AppSettings(t.database.db).write('company', { name: COMPANY.name, taxIds: [COMPANY.taxId] }, 'admin')
  })
  afterEach(async () => {
    await t.close()
  })

  /** A few seconds apart, as people type: files are listed in the order they were received. */
  const send = async (text: string, files: Upload[] = []) => {
    clock += 5000
    return (await t.send('zhangsan', text, files)).messages
  }
  const draftPayload = async () => JSON.parse((await t.database.db.selectFrom('requests').select('payload').where('status', '=', 'draft').executeTakeFirstOrThrow()).payload)

  it('an invoice whose claim was cancelled at the category question goes with no later claim', async () => {
    const asked = await send('', [xml(ADVICE)])
    expect(texts(asked)).toEqual(['识别到发票：¥530.00，2026-11-18，咨询服务'])
    expect(cardIn(asked)?.title).toBe('这笔 ¥530.00 是哪类费用？')
    expect(texts(await send('取消'))).toEqual(['好的，已取消正在填写的申请'])

    const taxi = cardIn(await send('报销昨天打车费30元'))
    expect(field(taxi, '附件')).toBeUndefined()
    expect(field(taxi, '发票')).toBeUndefined()
    expect(await draftPayload()).toEqual({ category: 'transport', amountFen: 30_00, date: '2026-11-24' })
    expect((await t.tap(taxi!.id, 'confirm', 'zhangsan')).body.message).toMatch(/^已提交/)

    // The real claim, with the invoice sent again, is not blocked as a duplicate of the taxi ride.
    await send('', [xml(ADVICE)])
    const real = cardIn(await send('其他'))
    expect(field(real, '金额')).toBe('¥530.00')
    expect(field(real, '发票')).toBe(ADVICE.number)
    expect(real?.notes.join('\n')).not.toContain('INVOICE_DUPLICATE')
    expect(real?.actions.map((a) => a.id)).toEqual(['confirm', 'edit', 'cancel'])
  })

  it('nor does one whose question expired or was left for another command', async () => {
    await send('', [xml(ADVICE)])
    clock += 31 * MINUTE
    expect(field(cardIn(await send('报销昨天打车费30元')), '附件')).toBeUndefined()
    expect(texts(await send('取消'))).toEqual(['好的，已取消正在填写的申请'])

    await send('', [xml({ ...ADVICE, number: '26112000000055550009' })])
    expect(texts(await send('待我审批'))).toEqual(['你目前没有待审批的申请'])
    expect(field(cardIn(await send('报销昨天打车费30元')), '附件')).toBeUndefined()
  })

  it('a draft cancelled at its card lets go of its files: the claim typed again takes them', async () => {
    const first = cardIn(await send('', [xml(DINNER)]))
    expect(field(first, '发票')).toBe(DINNER.number)
    expect(texts(await send('取消'))).toEqual(['好的，已取消正在填写的申请'])

    const retyped = cardIn(await send('报销餐费530元'))
    expect(field(retyped, '发票')).toBe(DINNER.number)
    expect(field(retyped, '附件')).toBe(`${DINNER.number}.xml（发票 ¥530.00，2026-11-18，餐饮服务）`)

    // The 取消 button does the same.
    expect((await t.tap(retyped!.id, 'cancel', 'zhangsan')).body).toMatchObject({ ok: true, message: '已取消' })
    expect(field(cardIn(await send('报销餐费530元')), '发票')).toBe(DINNER.number)
  })

  it('an invoice sent while the category is asked adds to the amount the first one gave', async () => {
    await send('', [xml(ADVICE)])
    const asked = await send('', [xml(LUNCH)])
    expect(texts(asked)).toEqual(['识别到发票：¥200.00，2026-11-19，餐饮服务'])
    expect(cardIn(asked)?.title).toBe('这笔 ¥730.00 是哪类费用？')
    const card = cardIn(await send('餐费'))
    expect(field(card, '金额')).toBe('¥730.00')
    expect(field(card, '发票')).toBe(`${ADVICE.number}、${LUNCH.number}`)
    expect(card?.notes.join('\n')).not.toContain('INVOICE_TOTAL_MISMATCH')
  })

  it('a typed amount stays when more invoices come, and the difference is pointed out, not blocked', async () => {
    await send('报销600元', [xml(ADVICE)])
    await send('', [xml(LUNCH)])
    const card = cardIn(await send('其他'))
    expect(field(card, '金额')).toBe('¥600.00')
    expect(card?.notes.join('\n')).toContain('⚠️ 规则 INVOICE_TOTAL_MISMATCH：金额 ¥600.00 与发票合计 ¥730.00 不一致')
    expect(card?.actions.map((a) => a.id)).toEqual(['confirm', 'edit', 'cancel'])
  })

  it('an invoice sent while the card waits adds to an amount its invoices gave, not to a typed one', async () => {
    await send('', [xml(DINNER)])
    const added = await send('', [xml(LUNCH)])
    expect(texts(added)).toEqual(['识别到发票：¥200.00，2026-11-19，餐饮服务\n已附上 1 个文件，金额按发票合计改为 ¥730.00，请核对后确认：'])
    expect(field(cardIn(added), '金额')).toBe('¥730.00')
    expect(field(cardIn(added), '发票')).toBe(`${DINNER.number}、${LUNCH.number}`)
    expect(texts(await send('取消'))).toEqual(['好的，已取消正在填写的申请'])

    await send('报销餐费1000元')
    const kept = cardIn(await send('', [xml({ ...LUNCH, number: '26112000000055550003' })]))
    expect(field(kept, '金额')).toBe('¥1,000.00')
    expect(kept?.notes.join('\n')).toContain('金额 ¥1,000.00 与发票合计 ¥930.00 不一致')
  })

  it('a file that is no receipt does not satisfy the receipt-required rule', async () => {
    const claim = cardIn(await send('报销差旅费6000元'))
    expect(claim?.notes.join('\n')).toContain('需附发票或票据，本次未附')
    const sent = await send('', [NOTES])
    expect(texts(sent)[0]).toMatch(/^已保存「notes.txt」，但无法自动识别：不是发票文件/)
    expect(cardIn(sent)?.notes.join('\n')).toContain('需附发票或票据，本次未附')
    expect(await draftPayload()).toMatchObject({ attachments: 1, receipts: 0 })
    expect(texts(await send('取消'))).toEqual(['好的，已取消正在填写的申请'])

    // Sent first, then the claim typed: the same.
    await send('', [NOTES])
    expect(cardIn(await send('报销差旅费5500元'))?.notes.join('\n')).toContain('需附发票或票据，本次未附')
  })
})
