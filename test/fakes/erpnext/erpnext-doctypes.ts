/**
 * The fake ERPNext's master data and the checks its doctypes make before a document is saved or
 * submitted, with ERPNext's own messages (LinkValidationError "Could not find Account: …",
 * "Total Debit must be equal to Total Credit", the closed Accounting Period, the approval status
 * of an Expense Claim). A failed check throws FrappeException, which the server turns into
 * Frappe's error reply.
 */

export class FrappeException extends Error {
  constructor(
    readonly excType: string,
    message: string,
    readonly status = 417,
  ) {
    super(message)
  }
}

export type Doc = Record<string, unknown>

export interface ErpNextMaster {
  company: string
  accounts: Map<string, { payable: boolean }>
  costCenters: Set<string>
  employees: Set<string>
  expenseClaimTypes: Set<string>
  items: Set<string>
  warehouses: Set<string>
  suppliers: Set<string>
  /** Closed accounting periods as YYYY-MM. */
  closedPeriods: Set<string>
}

export function demoMaster(): ErpNextMaster {
  return {
    company: 'Acme (Demo)',
    accounts: new Map([
      ['Travel Expenses - AD', { payable: false }],
      ['Office Expenses - AD', { payable: false }],
      ['Payroll Payable - AD', { payable: true }],
    ]),
    costCenters: new Set(['Main - AD', 'R&D - AD']),
    employees: new Set(['HR-EMP-00001']),
    expenseClaimTypes: new Set(['Travel', 'Food']),
    items: new Set(['MAT-001', 'Purchase - General']),
    warehouses: new Set(['Stores - AD']),
    suppliers: new Set(['Lenovo']),
    closedPeriods: new Set(),
  }
}

const linkTo = (set: Set<string> | Map<string, unknown>, label: string, value: unknown) => {
  if (!set.has(String(value))) throw new FrappeException('LinkValidationError', `Could not find ${label}: ${String(value)}`)
}
const mandatory = (doctype: string, doc: Doc, ...fields: string[]) => {
  const missing = fields.filter((f) => doc[f] === undefined || doc[f] === null || doc[f] === '')
  if (missing.length) throw new FrappeException('MandatoryError', `Error: Value missing for ${doctype}: ${missing.join(', ')}`)
}
const rows = (doc: Doc, table: string) => (Array.isArray(doc[table]) ? (doc[table] as Doc[]) : [])
const cents = (value: unknown) => Math.round(Number(value ?? 0) * 100)

export const NAMING: Record<string, (year: string, n: number) => string> = {
  'Journal Entry': (y, n) => `ACC-JV-${y}-${String(n).padStart(5, '0')}`,
  'Expense Claim': (y, n) => `HR-EXP-${y}-${String(n).padStart(5, '0')}`,
  'Material Request': (y, n) => `MAT-MR-${y}-${String(n).padStart(5, '0')}`,
  'Purchase Order': (y, n) => `PUR-ORD-${y}-${String(n).padStart(5, '0')}`,
  Project: (_y, n) => `PROJ-${String(n).padStart(4, '0')}`,
}

export const SUBMITTABLE = new Set(['Journal Entry', 'Expense Claim', 'Material Request', 'Purchase Order'])

/** Checks made when the document is saved, and when submitted (docstatus 1). */
export function validate(doctype: string, doc: Doc, master: ErpNextMaster): void {
  if (doc.company !== undefined) linkTo(new Set([master.company]), 'Company', doc.company)
  const submitting = doc.docstatus === 1
  switch (doctype) {
    case 'Journal Entry': {
      mandatory(doctype, doc, 'company', 'posting_date')
      const lines = rows(doc, 'accounts')
      lines.forEach((line, i) => {
        linkTo(master.accounts, 'Account', line.account)
        if (line.cost_center !== undefined) linkTo(master.costCenters, 'Cost Center', line.cost_center)
        if (master.accounts.get(String(line.account))?.payable && !(line.party_type && line.party)) {
          throw new FrappeException('ValidationError', `Row ${i + 1}: Party Type and Party is required for Receivable / Payable account ${String(line.account)}`)
        }
        if (line.party_type === 'Employee') linkTo(master.employees, 'Employee', line.party)
      })
      const difference = lines.reduce((sum, l) => sum + cents(l.debit_in_account_currency) - cents(l.credit_in_account_currency), 0)
      if (lines.length < 2 || difference !== 0) throw new FrappeException('ValidationError', `Total Debit must be equal to Total Credit. The difference is ${(difference / 100).toFixed(2)}`)
      closedPeriod(String(doc.posting_date), master, submitting)
      return
    }
    case 'Expense Claim': {
      mandatory(doctype, doc, 'employee', 'company', 'payable_account')
      linkTo(master.employees, 'Employee', doc.employee)
      linkTo(master.accounts, 'Account', doc.payable_account)
      const expenses = rows(doc, 'expenses')
      if (!expenses.length) throw new FrappeException('ValidationError', 'Expenses table is empty')
      for (const expense of expenses) {
        linkTo(master.expenseClaimTypes, 'Expense Claim Type', expense.expense_type)
        if (cents(expense.sanctioned_amount) > cents(expense.amount)) throw new FrappeException('ValidationError', 'Sanctioned Amount cannot be greater than Claim Amount')
      }
      if (submitting && !['Approved', 'Rejected'].includes(String(doc.approval_status))) {
        throw new FrappeException('ValidationError', "Only Expense Claims with status 'Approved' and 'Rejected' can be submitted")
      }
      closedPeriod(String(doc.posting_date), master, submitting)
      return
    }
    case 'Material Request':
    case 'Purchase Order': {
      if (doctype === 'Material Request') mandatory(doctype, doc, 'material_request_type', 'transaction_date', 'company')
      else {
        mandatory(doctype, doc, 'supplier', 'transaction_date', 'company')
        linkTo(master.suppliers, 'Supplier', doc.supplier)
      }
      const items = rows(doc, 'items')
      if (!items.length) throw new FrappeException('ValidationError', 'Items are required')
      items.forEach((item, i) => {
        linkTo(master.items, 'Item', item.item_code)
        if (!(Number(item.qty) > 0)) throw new FrappeException('ValidationError', `Row #${i + 1}: Quantity must be greater than zero`)
        if (!item.schedule_date) throw new FrappeException('MandatoryError', `Row #${i + 1}: Required By date is mandatory`)
        if (!item.warehouse) throw new FrappeException('MandatoryError', `Row #${i + 1}: Warehouse is mandatory`)
        linkTo(master.warehouses, 'Warehouse', item.warehouse)
        if (item.cost_center !== undefined) linkTo(master.costCenters, 'Cost Center', item.cost_center)
      })
      return
    }
    case 'Project':
      mandatory(doctype, doc, 'project_name')
      return
    default:
      throw new FrappeException('DoesNotExistError', `DocType ${doctype} not found`, 404)
  }
}

function closedPeriod(date: string, master: ErpNextMaster, submitting: boolean): void {
  if (submitting && master.closedPeriods.has(date.slice(0, 7))) {
    throw new FrappeException('ClosedAccountingPeriod', `You cannot create or cancel any accounting entries with in the closed Accounting Period ${date.slice(0, 7)}`)
  }
}
