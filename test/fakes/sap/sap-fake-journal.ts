import type { IncomingMessage } from 'node:http'
import type { FakeReply } from './sap-fake.js'

/**
 * The fake's JournalEntryBulkCreateRequest service (synchronous, SAPSCORE/SFIN). Replies follow a
 * real S/4HANA Cloud confirmation: the outer JournalEntryBulkCreateConfirmation, one
 * JournalEntryCreateConfirmation per entry with AccountingDocument/CompanyCode/FiscalYear, and a Log
 * with MaximumLogItemSeverityCode and Items (TypeID, SeverityCode, Note). A rejected entry is
 * HTTP 200 with AccountingDocument 0000000000 and error items, as SAP does.
 */

export interface JournalEntryBook {
  entries: { accountingDocument: string; items: Record<string, unknown>[] }[]
  /** Closed posting periods as YYYY-MM. */
  closedPeriods: Set<string>
  master: { costCenters: Set<string>; glAccounts: Map<string, { costCentreRequired: boolean }> }
  nextNumber: number
}

const SOAP_ACTION = 'http://sap.com/xi/SAPSCORE/SFIN/JournalEntryBulkCreateRequest'
const texts = (xml: string, name: string) => [...xml.matchAll(new RegExp(`<(?:\\w+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:\\w+:)?${name}>`, 'g'))].map((m) => m[1]!.trim())
const first = (xml: string, name: string) => texts(xml, name)[0] ?? ''

export function postJournalEntry(headers: IncomingMessage['headers'], body: string, book: JournalEntryBook): FakeReply {
  const action = String(headers.soapaction ?? '').replace(/^"|"$/g, '')
  if (!String(headers['content-type']).startsWith('text/xml')) return fault('Content-Type must be text/xml for SOAP 1.1')
  if (action !== SOAP_ACTION) return fault(`SOAPAction '${action}' is not an operation of this service`)
  if (!/<(\w+):JournalEntryBulkCreateRequest[\s>]/.test(body) || !body.includes('xmlns:sfin="http://sap.com/xi/SAPSCORE/SFIN"')) {
    return fault('Message does not match the service interface JournalEntryBulkCreateRequest')
  }
  const bulkId = first(first(body, 'MessageHeader'), 'ID')
  const entry = first(body, 'JournalEntry')
  const log: { typeId: string; severity: number; note: string }[] = []
  const companyCode = first(entry, 'CompanyCode')
  const postingDate = first(entry, 'PostingDate')
  const reference = first(entry, 'DocumentReferenceID')
  if (first(entry, 'OriginalReferenceDocumentType') !== 'BKPFF') log.push({ typeId: 'RW(022)', severity: 3, note: 'Reference procedure must be BKPFF' })
  if (!/^\d{4}-\d{2}-\d{2}$/.test(postingDate)) log.push({ typeId: 'F5(180)', severity: 3, note: `Posting date ${postingDate} is invalid` })
  if (book.closedPeriods.has(postingDate.slice(0, 7))) {
    log.push({ typeId: 'F5(201)', severity: 3, note: `Posting period ${postingDate.slice(5, 7).padStart(3, '0')} ${postingDate.slice(0, 4)} is not open` })
  }
  let balance = 0
  const items = texts(entry, 'Item').map((item, index) => {
    const amountXml = /<AmountInTransactionCurrency currencyCode="(\w+)">(-?\d+\.\d{2})<\/AmountInTransactionCurrency>/.exec(item)
    const glAccount = first(item, 'GLAccount')
    const side = first(item, 'DebitCreditCode')
    const costCenter = first(first(item, 'AccountAssignment'), 'CostCenter')
    const cents = amountXml ? Math.round(Number(amountXml[2]) * 100) : NaN
    balance += cents
    const account = book.master.glAccounts.get(glAccount)
    if (!amountXml) log.push({ typeId: 'FINS_ACDOC_POST(010)', severity: 3, note: `Item ${index + 1}: amount with currency code missing` })
    if (!account) log.push({ typeId: 'FH(010)', severity: 3, note: `G/L account ${glAccount} is not defined in company code ${companyCode}` })
    if ((side === 'S') !== cents > 0 || !['S', 'H'].includes(side)) log.push({ typeId: 'F5(753)', severity: 3, note: `Item ${index + 1}: debit/credit code ${side} does not match the sign of the amount` })
    if (account?.costCentreRequired && !book.master.costCenters.has(costCenter)) {
      log.push({ typeId: 'KI(235)', severity: 3, note: `Account ${glAccount} requires an assignment to a CO object; cost center ${costCenter || '(none)'} does not exist` })
    }
    return { GLAccount: glAccount, AmountInTransactionCurrency: amountXml?.[2], CostCenter: costCenter, DebitCreditCode: side }
  })
  if (items.length < 2) log.push({ typeId: 'F5(702)', severity: 3, note: 'A journal entry needs at least two items' })
  else if (balance !== 0) log.push({ typeId: 'F5(702)', severity: 3, note: `Balance in transaction currency: ${(balance / 100).toFixed(2)}` })

  const failed = log.length > 0
  const accountingDocument = failed ? '0000000000' : String(book.nextNumber++).padStart(10, '0')
  const fiscalYear = failed ? '0000' : postingDate.slice(0, 4)
  if (!failed) {
    book.entries.push({
      accountingDocument,
      items: items.map((item, index) => ({
        ...item,
        CompanyCode: companyCode,
        FiscalYear: fiscalYear,
        AccountingDocument: accountingDocument,
        AccountingDocumentItem: String(index + 1).padStart(3, '0'),
        // XBLNR is an upper-case field: SAP stores the reference upper-cased.
        DocumentReferenceID: reference.toUpperCase(),
        IsReversal: false,
        IsReversed: false,
      })),
    })
    log.push({ typeId: '605(RW)', severity: 1, note: `Document posted successfully: BKPFF ${accountingDocument}${companyCode}${fiscalYear} S4HCLNT100` })
  }
  const maxSeverity = Math.max(...log.map((l) => l.severity))
  const logXml = log.map((l) => `<Item><TypeID>${l.typeId}</TypeID><SeverityCode>${l.severity}</SeverityCode><Note>${l.note.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</Note></Item>`).join('')
  return {
    status: 200,
    headers: { 'content-type': 'text/xml; charset=utf-8' },
    body:
      `<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"><soap-env:Header/><soap-env:Body>` +
      `<n0:JournalEntryBulkCreateConfirmation xmlns:n0="http://sap.com/xi/SAPSCORE/SFIN" xmlns:prx="urn:sap.com:proxy:S4H:/1SAI/TAS:795">` +
      `<MessageHeader><UUID>${crypto.randomUUID()}</UUID><ReferenceID>${bulkId}</ReferenceID><CreationDateTime>${new Date().toISOString()}</CreationDateTime></MessageHeader>` +
      `<JournalEntryCreateConfirmation><MessageHeader><UUID>${crypto.randomUUID()}</UUID></MessageHeader>` +
      `<JournalEntryCreateConfirmation><AccountingDocument>${accountingDocument}</AccountingDocument><CompanyCode>${companyCode}</CompanyCode><FiscalYear>${fiscalYear}</FiscalYear></JournalEntryCreateConfirmation>` +
      `<Log><MaximumLogItemSeverityCode>${maxSeverity}</MaximumLogItemSeverityCode>${logXml}</Log></JournalEntryCreateConfirmation><Log/>` +
      `</n0:JournalEntryBulkCreateConfirmation></soap-env:Body></soap-env:Envelope>`,
  }
}

function fault(message: string): FakeReply {
  return {
    status: 500,
    headers: { 'content-type': 'text/xml; charset=utf-8' },
    body: `<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"><soap-env:Header/><soap-env:Body><soap-env:Fault><faultcode>soap-env:Client</faultcode><faultstring xml:lang="en">${message}</faultstring></soap-env:Fault></soap-env:Body></soap-env:Envelope>`,
  }
}
