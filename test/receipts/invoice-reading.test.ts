import { describe, expect, it } from 'vitest'
import { PdfjsTextReader } from '../../receipts/pdfjs-text-reader.js'
import { invoiceKeyOf, invoiceSummary, type InvoiceReading } from '../../workflow/receipts/invoices/invoice.js'
import { categoryOfInvoice } from '../../workflow/receipts/invoices/invoice-category.js'
import { readInvoiceText } from '../../workflow/receipts/invoices/invoice-text.js'
import { readInvoiceXml } from '../../workflow/receipts/invoices/invoice-xml.js'
import { COMPANY, DINNER, PHOTO, einvoicePdf, einvoiceXml, legacyInvoiceXml, railwayTicketPdf, scannedPdf } from './invoice-fixtures.js'

const reader = new PdfjsTextReader()

async function readPdf(bytes: Uint8Array): Promise<InvoiceReading> {
  const lines = await reader.lines(bytes)
  if (lines === null) throw new Error('not a PDF')
  return readInvoiceText(lines)
}

function invoiceOf(reading: InvoiceReading) {
  if (!reading.ok) throw new Error(reading.problem)
  return reading.invoice
}

describe('数电票 XML', () => {
  it('reads every field of a 普通发票', () => {
    const invoice = invoiceOf(readInvoiceXml(einvoiceXml(DINNER)))
    expect(invoice).toEqual({
      source: 'xml',
      kind: 'vat_general',
      title: '电子发票（普通发票）',
      number: '26112000000012345678',
      code: null,
      issueDate: '2026-11-18',
      serviceDate: null,
      amountFen: 500_00,
      taxFen: 30_00,
      totalFen: 530_00,
      seller: { name: '上海鼎味餐饮管理有限公司', taxId: '91310115MA1H7XYZ2K' },
      buyer: { name: COMPANY.name, taxId: COMPANY.taxId },
      items: ['*餐饮服务*餐饮服务'],
      trip: null,
    })
    expect(invoiceKeyOf(invoice)).toBe('26112000000012345678')
    expect(categoryOfInvoice(invoice)).toBe('meal')
    expect(invoiceSummary(invoice)).toBe('¥530.00，2026-11-18，餐饮服务')
  })

  it('tells a 专用发票 by its label code and keeps amounts exact to the fen', () => {
    const invoice = invoiceOf(readInvoiceXml(einvoiceXml({ ...DINNER, special: true, amount: '1,234.57', tax: '74.07', total: '1308.64', item: '*住宿服务*住宿费' })))
    expect(invoice.kind).toBe('vat_special')
    expect([invoice.amountFen, invoice.taxFen, invoice.totalFen]).toEqual([1_234_57, 74_07, 1_308_64])
    expect(categoryOfInvoice(invoice)).toBe('lodging')
  })

  it('reads an older pinyin export with its invoice code', () => {
    const invoice = invoiceOf(readInvoiceXml(legacyInvoiceXml({ ...DINNER, number: '04567890', code: '011002100111', item: '*运输服务*客运服务费' })))
    expect(invoice).toMatchObject({ number: '04567890', code: '011002100111', issueDate: '2026-11-18', totalFen: 530_00, buyer: { taxId: COMPANY.taxId }, seller: { name: DINNER.sellerName } })
    expect(invoiceKeyOf(invoice)).toBe('011002100111-04567890')
    expect(categoryOfInvoice(invoice)).toBe('transport')
  })

  it('refuses what is not an invoice, a DOCTYPE, parts that do not add up and a 红字发票', () => {
    expect(readInvoiceXml('<order><id>1</id></order>')).toEqual({ ok: false, problem: 'XML 中找不到发票号码，不是电子发票' })
    expect(readInvoiceXml('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>').ok).toBe(false)
    expect(readInvoiceXml('not xml at all <<<').ok).toBe(false)
    const mismatch = readInvoiceXml(einvoiceXml({ ...DINNER, total: '531.00' }))
    expect(mismatch).toEqual({ ok: false, problem: '金额 ¥500.00 加税额 ¥30.00 不等于价税合计 ¥531.00，请核对票面' })
    expect(readInvoiceXml(einvoiceXml({ ...DINNER, amount: '-500.00', tax: '-30.00', total: '-530.00' }))).toEqual({ ok: false, problem: '这是一张红字（负数）发票，不能用于报销' })
  })
})

describe('e-invoice PDF text layer', () => {
  it('reads a 数电票 PDF field by field, buyer on the left and seller on the right', async () => {
    const invoice = invoiceOf(await readPdf(await einvoicePdf(DINNER)))
    expect(invoice).toEqual({
      source: 'pdf',
      kind: 'vat_general',
      title: '电子发票（普通发票）',
      number: DINNER.number,
      code: null,
      issueDate: '2026-11-18',
      serviceDate: null,
      amountFen: 500_00,
      taxFen: 30_00,
      totalFen: 530_00,
      seller: { name: DINNER.sellerName, taxId: DINNER.sellerTaxId },
      buyer: { name: COMPANY.name, taxId: COMPANY.taxId },
      items: ['*餐饮服务*餐饮服务'],
      trip: null,
    })
  })

  it('reads a railway e-ticket: fare, departure day, train, buyer', async () => {
    const pdf = await railwayTicketPdf({ number: '26119110000000123456', issueDate: '2026-11-19', departureDate: '2026-11-20', train: 'G123', fare: '553.00', buyerName: COMPANY.name, buyerTaxId: COMPANY.taxId })
    const invoice = invoiceOf(await readPdf(pdf))
    expect(invoice).toMatchObject({
      kind: 'railway',
      title: '电子发票（铁路电子客票）',
      number: '26119110000000123456',
      issueDate: '2026-11-19',
      serviceDate: '2026-11-20',
      amountFen: null,
      taxFen: null,
      totalFen: 553_00,
      buyer: { name: COMPANY.name, taxId: COMPANY.taxId },
      seller: { name: null, taxId: null },
      trip: 'G123',
    })
    expect(invoiceSummary(invoice)).toBe('¥553.00，2026-11-20，高铁票')
    expect(categoryOfInvoice(invoice)).toBe('travel')
  })

  it('finds no text in a scan and refuses bytes that are not a PDF', async () => {
    const lines = await reader.lines(await scannedPdf())
    expect(lines).toEqual([])
    expect(readInvoiceText(lines!)).toEqual({ ok: false, problem: 'PDF 没有文字层（可能是扫描件或图片）' })
    expect(await reader.lines(PHOTO)).toBeNull()
  })
})
