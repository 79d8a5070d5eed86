import { createHash } from 'node:crypto'
import { ErpError, type ExpenseVoucherAction, type PurchaseAction } from '../../erp-adapter.js'
import { fenToDecimal } from '../document-values.js'
import type { SapConfig } from './sap-config.js'
import { decodeXml } from './sap-client.js'

/**
 * Our actions as SAP documents, and SAP's journal entry confirmation back. Field names follow the
 * SAP API Business Hub schemas of API_PURCHASEREQ_PROCESS_SRV, API_PURCHASEORDER_PROCESS_SRV and
 * JournalEntryBulkCreateRequest (namespace http://sap.com/xi/SAPSCORE/SFIN), as gathered in ERP.md §5.
 * Decimals go as strings (Edm.Decimal in OData V2 JSON), dates as /Date(ms)/.
 */

export const SFIN_NAMESPACE = 'http://sap.com/xi/SAPSCORE/SFIN'
export const JOURNAL_ENTRY_SOAP_ACTION = `${SFIN_NAMESPACE}/JournalEntryBulkCreateRequest`

/** Field lengths the key must fit: DocumentReferenceID (XBLNR) is CHAR 16, upper case, per the
 * $metadata of API_OPLACCTGDOCITEMCUBE_SRV (github shritejrasala/Accounting, srv/external/API_OPLACCTGDOCITEMCUBE_SRV.edmx);
 * PurReqnDescription is CHAR 40. */
const REFERENCE_LENGTH = 16
const DESCRIPTION_LENGTH = 40

const maxLength = (field: 'journal' | 'requisition') => (field === 'journal' ? REFERENCE_LENGTH : DESCRIPTION_LENGTH)

export function fitsReference(key: string, field: 'journal' | 'requisition'): boolean {
  return key.trim().length <= maxLength(field)
}

/** The key as SAP stores it in DocumentReferenceID / PurReqnDescription. */
export function sapReference(key: string, field: 'journal' | 'requisition'): string {
  const reference = key.trim().toUpperCase()
  const max = maxLength(field)
  if (reference.length > max) {
    throw new ErpError('permanent', `单据编号 ${key} 超过 SAP 参考字段长度（${max} 位），无法保证不重复过账。The key does not fit SAP's reference field.`)
  }
  return reference
}

/** A stable 32-hex message id per key: a resent message carries the same ID as the first. */
export function messageId(key: string, part: string): string {
  return createHash('sha256').update(`${key}\u0000${part}`).digest('hex').slice(0, 32).toUpperCase()
}

/** OData V2 JSON Edm.DateTime of a calendar day. */
export function odataDate(isoDate: string): string {
  return `/Date(${Date.parse(`${isoDate}T00:00:00Z`)})/`
}

/** A string literal inside $filter. */
export function odataLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
const cut = (text: string, max: number) => [...text].slice(0, max).join('')
const element = (name: string, value: string | undefined, attributes = '') => (value ? `<${name}${attributes}>${escapeXml(value)}</${name}>` : '')

/**
 * One JournalEntryCreateRequest in a bulk message: Dr the category's G/L account on the department's
 * cost centre, Cr the employee payable account. SAP wants credits negative with DebitCreditCode H
 * (as in the public sample request under find_string "JournalEntryCreateConfirmation").
 */
export function journalEntryEnvelope(action: ExpenseVoucherAction, key: string, accountCode: string, config: SapConfig, now: Date): string {
  const amount = fenToDecimal(action.amountFen)
  const created = now.toISOString().replace(/\.\d{3}Z$/, 'Z')
  const itemText = cut(`${action.requestNo} ${action.employee.name} ${action.memo}`, 50)
  const currency = ` currencyCode="${escapeXml(config.currency)}"`
  const costCenter = action.department.costCenter ? `<AccountAssignment>${element('CostCenter', action.department.costCenter)}</AccountAssignment>` : ''
  return [
    `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sfin="${SFIN_NAMESPACE}"><soapenv:Header/><soapenv:Body>`,
    '<sfin:JournalEntryBulkCreateRequest>',
    `<MessageHeader>${element('ID', messageId(key, 'bulk'))}${element('CreationDateTime', created)}</MessageHeader>`,
    '<JournalEntryCreateRequest>',
    `<MessageHeader>${element('ID', messageId(key, 'entry'))}${element('CreationDateTime', created)}</MessageHeader>`,
    '<JournalEntry>',
    element('OriginalReferenceDocumentType', 'BKPFF'),
    element('BusinessTransactionType', 'RFBU'),
    element('AccountingDocumentType', config.journalEntryType),
    element('DocumentReferenceID', sapReference(key, 'journal')),
    element('DocumentHeaderText', cut(action.memo || action.requestNo, 25)),
    element('CompanyCode', config.companyCode),
    element('DocumentDate', action.date),
    element('PostingDate', action.date),
    `<Item>${element('ReferenceDocumentItem', '1')}${element('GLAccount', accountCode)}${element('AmountInTransactionCurrency', amount, currency)}${element('DebitCreditCode', 'S')}${element('DocumentItemText', itemText)}${costCenter}</Item>`,
    `<Item>${element('ReferenceDocumentItem', '2')}${element('GLAccount', config.employeePayableAccount)}${element('AmountInTransactionCurrency', `-${amount}`, currency)}${element('DebitCreditCode', 'H')}${element('DocumentItemText', itemText)}${element('AssignmentReference', action.employee.erpCode ? cut(action.employee.erpCode, 18) : undefined)}</Item>`,
    '</JournalEntry></JournalEntryCreateRequest></sfin:JournalEntryBulkCreateRequest></soapenv:Body></soapenv:Envelope>',
  ].join('')
}

export interface JournalEntryConfirmation {
  accountingDocument: string
  companyCode: string
  fiscalYear: string
  /** 1 success, 2 warning, 3 error, 4 abort (SAP's log severity codes). */
  maxSeverity: number
  notes: { typeId: string; note: string; severity: number }[]
}

const texts = (xml: string, name: string) => [...xml.matchAll(new RegExp(`<(?:\\w+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:\\w+:)?${name}>`, 'g'))].map((m) => decodeXml(m[1]!.trim()))

/**
 * Reads a JournalEntryBulkCreateConfirmation. The field names, and the log's
 * MaximumLogItemSeverityCode (not MaximumSeverityCode, as ERP.md has it), are confirmed by a
 * real S/4HANA Cloud reply kept in a public C# sample (find_string "JournalEntryCreateConfirmation").
 * A rejected entry comes back with AccountingDocument 0000000000 and error items in the log.
 */
export function readJournalEntryConfirmation(xml: string): JournalEntryConfirmation {
  const items = texts(xml, 'Item').map((item) => ({
    typeId: texts(item, 'TypeID')[0] ?? '',
    note: texts(item, 'Note')[0] ?? '',
    severity: Number(texts(item, 'SeverityCode')[0] ?? 0),
  }))
  const severities = [...texts(xml, 'MaximumLogItemSeverityCode'), ...texts(xml, 'MaximumSeverityCode')].map(Number)
  return {
    accountingDocument: texts(xml, 'AccountingDocument')[0] ?? '',
    companyCode: texts(xml, 'CompanyCode')[0] ?? '',
    fiscalYear: texts(xml, 'FiscalYear')[0] ?? '',
    maxSeverity: Math.max(0, ...severities, ...items.map((i) => i.severity)),
    notes: items,
  }
}

/** Unit price so that quantity × price is the budget, to the fen where it divides (SAP prices carry 2 decimals). */
export function unitPrice(budgetFen: number, quantity: number): string {
  return fenToDecimal(Math.round(budgetFen / quantity))
}

function costAssignment(action: PurchaseAction, config: SapConfig): Record<string, string>[] {
  return action.department.costCenter ? [{ CostCenter: action.department.costCenter, GLAccount: config.purchasing.glAccount }] : []
}

/** Deep insert of A_PurchaseRequisitionHeader with one item; the key is the header description. */
export function requisitionBody(action: PurchaseAction, key: string, config: SapConfig): Record<string, unknown> {
  const p = config.purchasing
  return {
    PurchaseRequisitionType: p.requisitionType,
    PurReqnDescription: sapReference(key, 'requisition'),
    to_PurchaseReqnItem: [
      {
        PurchaseRequisitionItem: '10',
        PurchaseRequisitionItemText: cut(action.item, 40),
        ...(action.materialCode ? { Material: action.materialCode } : { MaterialGroup: p.materialGroup, BaseUnit: p.unit }),
        Plant: p.plant,
        RequestedQuantity: String(action.quantity),
        PurchaseRequisitionPrice: unitPrice(action.budgetFen, action.quantity),
        PurReqnItemCurrency: config.currency,
        DeliveryDate: odataDate(action.date),
        PurchasingGroup: p.purchasingGroup,
        PurchasingOrganization: p.purchasingOrganization,
        RequisitionerName: cut(action.requester.name, 12),
        AccountAssignmentCategory: p.accountAssignmentCategory,
        to_PurReqnAcctAssgmt: costAssignment(action, config),
      },
    ],
  }
}

/** Deep insert of A_PurchaseOrder whose one item points at the requisition item it fulfils. */
export function purchaseOrderBody(action: PurchaseAction, supplier: string, requisition: string, config: SapConfig): Record<string, unknown> {
  const p = config.purchasing
  return {
    CompanyCode: config.companyCode,
    PurchaseOrderType: p.orderType,
    Supplier: supplier,
    PurchasingOrganization: p.purchasingOrganization,
    PurchasingGroup: p.purchasingGroup,
    DocumentCurrency: config.currency,
    to_PurchaseOrderItem: [
      {
        PurchaseOrderItem: '10',
        PurchaseOrderItemText: cut(action.item, 40),
        ...(action.materialCode ? { Material: action.materialCode } : { MaterialGroup: p.materialGroup, PurchaseOrderQuantityUnit: p.unit }),
        Plant: p.plant,
        OrderQuantity: String(action.quantity),
        NetPriceAmount: unitPrice(action.budgetFen, action.quantity),
        AccountAssignmentCategory: p.accountAssignmentCategory,
        PurchaseRequisition: requisition,
        PurchaseRequisitionItem: '10',
        to_AccountAssignment: costAssignment(action, config),
      },
    ],
  }
}
