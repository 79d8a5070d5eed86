import { readFileSync } from 'node:fs'
import fontkit from '@pdf-lib/fontkit'
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib'

/**
 * E-invoices made by the tests, with known fields: 数电票 XML (the tax bureau's tags and the older
 * pinyin ones), 数电票 and railway e-ticket PDFs laid out like the printed ones, a scanned PDF
 * (an image, no text layer) and a photo.
 */
export interface InvoiceFields {
  number: string
  code?: string
  issueDate: string
  amount: string
  tax: string
  total: string
  sellerName: string
  sellerTaxId: string
  buyerName: string
  buyerTaxId: string
  item: string
  special?: boolean
}

export const COMPANY = { name: '北京示例科技有限公司', taxId: '91110108MA01ABCD3X' }

export const DINNER: InvoiceFields = {
  number: '26112000000012345678',
  issueDate: '2026-11-18',
  amount: '500.00',
  tax: '30.00',
  total: '530.00',
  sellerName: '上海鼎味餐饮管理有限公司',
  sellerTaxId: '91310115MA1H7XYZ2K',
  buyerName: COMPANY.name,
  buyerTaxId: COMPANY.taxId,
  item: '*餐饮服务*餐饮服务',
}

export function einvoiceXml(f: InvoiceFields): string {
  const [date] = f.issueDate.split('T')
  return `<?xml version="1.0" encoding="UTF-8"?>
<EInvoice>
  <Header>
    <EIid>${f.number}</EIid>
    <EInvoiceTag>SWEI3100</EInvoiceTag>
    <Version>0.1</Version>
    <InherentLabel>
      <GeneralOrSpecialVAT><LabelCode>${f.special ? '01' : '02'}</LabelCode><LabelName>${f.special ? '增值税专用发票' : '普通发票'}</LabelName></GeneralOrSpecialVAT>
    </InherentLabel>
  </Header>
  <EInvoiceData>
    <SellerInformation><SellerIdNum>${f.sellerTaxId}</SellerIdNum><SellerName>${f.sellerName}</SellerName></SellerInformation>
    <BuyerInformation><BuyerIdNum>${f.buyerTaxId}</BuyerIdNum><BuyerName>${f.buyerName}</BuyerName></BuyerInformation>
    <BasicInformation>
      <TotalAmWithoutTax>${f.amount}</TotalAmWithoutTax>
      <TotalTaxAm>${f.tax}</TotalTaxAm>
      <TotalTax-includedAmount>${f.total}</TotalTax-includedAmount>
      <RequestTime>${date} 09:12:33</RequestTime>
    </BasicInformation>
    <IssuItemInformation><ItemName>${f.item}</ItemName><Amount>${f.amount}</Amount><TaxRate>0.06</TaxRate><ComTaxAm>${f.tax}</ComTaxAm></IssuItemInformation>
  </EInvoiceData>
  <TaxSupervisionInfo><InvoiceNumber>${f.number}</InvoiceNumber><IssueTime>${date}</IssueTime></TaxSupervisionInfo>
</EInvoice>`
}

/** An older 增值税电子普通发票 export: pinyin tags, an 8-digit number with a 12-digit code. */
export function legacyInvoiceXml(f: InvoiceFields & { code: string }): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Fpxx><Fpdm>${f.code}</Fpdm><Fphm>${f.number}</Fphm><Kprq>${f.issueDate.replace(/-/g, '')}</Kprq>
<Gfmc>${f.buyerName}</Gfmc><Gfsbh>${f.buyerTaxId}</Gfsbh><Xfmc>${f.sellerName}</Xfmc><Xfsbh>${f.sellerTaxId}</Xfsbh>
<Hjje>${f.amount}</Hjje><Hjse>${f.tax}</Hjse><Jshj>${f.total}</Jshj><Mx><Xmmc>${f.item}</Xmmc></Mx></Fpxx>`
}

let fontBytes: Uint8Array | undefined

/**
 * WenQuanYi Micro Hei from the system's font collection (.ttc). pdf-lib hands the bytes to fontkit,
 * which opens a collection as a collection; asking it for the face by name gives pdf-lib one font.
 */
async function cjkDocument(): Promise<{ doc: PDFDocument; font: PDFFont }> {
  fontBytes ??= readFileSync('/usr/share/fonts/truetype/wqy/wqy-microhei.ttc')
  const doc = await PDFDocument.create()
  doc.registerFontkit({ create: (data: Uint8Array) => fontkit.create(data as Buffer, 'WenQuanYiMicroHei') } as unknown as typeof fontkit)
  const font = await doc.embedFont(fontBytes, { subset: true })
  return { doc, font }
}

const zhDate = (iso: string) => {
  const [y, m, d] = iso.split('-')
  return `${y}年${m}月${d}日`
}

type Writer = (text: string, x: number, y: number, size?: number) => void
const writer = (page: PDFPage, font: PDFFont): Writer => (text, x, y, size = 9) => page.drawText(text, { x, y, size, font, color: rgb(0.5, 0.2, 0.1) })

/** A 数电票 as printed: title, number and date top right, buyer left of seller, items, totals. */
export async function einvoicePdf(f: InvoiceFields): Promise<Uint8Array> {
  const { doc, font } = await cjkDocument()
  const page = doc.addPage([595, 400])
  const w = writer(page, font)
  w(f.special ? '电子发票（增值税专用发票）' : '电子发票（普通发票）', 200, 370, 16)
  w('发票号码：', 400, 345)
  w(f.number, 450, 345)
  w(`开票日期：${zhDate(f.issueDate)}`, 400, 330)
  for (const [i, ch] of ['购', '买', '方'].entries()) w(ch, 22, 300 - i * 12)
  for (const [i, ch] of ['销', '售', '方'].entries()) w(ch, 300, 300 - i * 12)
  w(`名称：${f.buyerName}`, 40, 300)
  w(`名称：${f.sellerName}`, 320, 300)
  w(`统一社会信用代码/纳税人识别号：${f.buyerTaxId}`, 40, 282)
  w(`统一社会信用代码/纳税人识别号：${f.sellerTaxId}`, 320, 282)
  w('项目名称', 40, 240)
  w('金额', 380, 240)
  w('税率/征收率', 440, 240)
  w('税额', 520, 240)
  w(f.item, 40, 222)
  w(f.amount, 380, 222)
  w('6%', 450, 222)
  w(f.tax, 520, 222)
  w('合', 40, 150)
  w('计', 80, 150)
  w(`¥${f.amount}`, 380, 150)
  w(`¥${f.tax}`, 520, 150)
  w('价税合计（大写）', 40, 130)
  w('（小写）', 400, 130)
  w(`¥${f.total}`, 440, 130)
  w('开票人：王会计', 40, 60)
  return doc.save()
}

export interface RailwayFields {
  number: string
  issueDate: string
  departureDate: string
  train: string
  fare: string
  buyerName: string
  buyerTaxId: string
}

/** A 电子发票（铁路电子客票）: fare (票价) instead of amount and tax, the buyer only. */
export async function railwayTicketPdf(f: RailwayFields): Promise<Uint8Array> {
  const { doc, font } = await cjkDocument()
  const page = doc.addPage([595, 360])
  const w = writer(page, font)
  w('电子发票（铁路电子客票）', 200, 330, 16)
  w(`发票号码:${f.number}`, 380, 305)
  w(`开票日期:${zhDate(f.issueDate)}`, 380, 290)
  w('北京南 站', 60, 250, 12)
  w(f.train, 240, 250, 12)
  w('上海虹桥 站', 380, 250, 12)
  w(`${zhDate(f.departureDate)} 08:00开`, 60, 225)
  w('05车12F号', 260, 225)
  w('二等座', 380, 225)
  w(`票价:￥${f.fare}`, 60, 205)
  w('1101011990****1234 张三', 60, 185)
  w('电子客票号:E123456789012345678901', 60, 150)
  w(`购买方名称:${f.buyerName}`, 60, 130)
  w(`统一社会信用代码:${f.buyerTaxId}`, 330, 130)
  return doc.save()
}

/** 1×1 PNG: a photo of a receipt as far as a server without OCR is concerned. */
export const PHOTO = Uint8Array.from(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64'))

/** A scan: a page that is one picture, with no text layer. */
export async function scannedPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create()
  const page = doc.addPage([595, 400])
  const image = await doc.embedPng(PHOTO)
  page.drawImage(image, { x: 0, y: 0, width: 595, height: 400 })
  return doc.save()
}
