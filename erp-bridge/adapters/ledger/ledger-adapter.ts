import type { Kysely, Transaction } from 'kysely'
import { takeNextNumber } from '../../../db/counters.js'
import type { Schema } from '../../../db/schema.js'
import { inTransaction } from '../../../db/transaction.js'
import { ErpError, type ErpAction, type ErpAdapter, type ErpDocument, type ExpenseVoucherAction } from '../../erp-adapter.js'
import type { MappingPolicy } from '../../mapping/mapping-policy.js'
import { EMPLOYEE_PAYABLE, EXPENSE_ACCOUNTS, LEDGER_ACCOUNTS } from './ledger-chart.js'

/** Document number prefixes of the non-accounting register, by action. */
const DOCUMENT_PREFIX: Record<Exclude<ErpAction['kind'], 'expense.voucher'>, string> = {
  'purchase.requisition': '请购',
  'hr.change': '人事',
  'project.create': '立项',
}

/**
 * The ERP that ships with the product: double-entry vouchers for expenses and a register of the
 * other approved documents (requisitions, HR changes, projects), all in our own database, so a
 * fresh install closes the loop without any external system. The idempotency key is a unique
 * column, and each post is one transaction: it lands whole or not at all.
 */
export class LedgerAdapter implements ErpAdapter {
  readonly name = 'ledger'
  /** Its own chart covers every category; partners are 工号, cost centres come from the org chart. */
  readonly mappingPolicy: MappingPolicy = { required: {}, masterCodes: ['department', 'employee'] }

  constructor(private readonly db: Kysely<Schema>) {}

  async installChart(): Promise<void> {
    for (const account of LEDGER_ACCOUNTS) {
      await this.db.insertInto('ledger_accounts').orIgnore().values(account).execute()
    }
  }

  async post(action: ErpAction, idempotencyKey: string): Promise<ErpDocument> {
    return inTransaction(this.db, async (trx) => {
      const existing = await findIn(trx, idempotencyKey)
      if (existing) return existing
      return action.kind === 'expense.voucher' ? this.postVoucher(trx, action, idempotencyKey) : this.register(trx, action, idempotencyKey)
    })
  }

  async find(idempotencyKey: string): Promise<ErpDocument | null> {
    return findIn(this.db, idempotencyKey)
  }

  async testConnection(): Promise<{ ok: true; detail: string }> {
    const accounts = await this.db.selectFrom('ledger_accounts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    return { ok: true, detail: `内置账簿可用，科目 ${Number(accounts.n)} 个。Built-in ledger ready.` }
  }

  private async postVoucher(trx: Transaction<Schema>, action: ExpenseVoucherAction, key: string): Promise<ErpDocument> {
    const lines = await voucherLines(trx, action)
    const month = action.date.slice(0, 7).replace('-', '')
    const voucherNo = `记-${month}-${String(await takeNextNumber(trx, `ledger-${month}`)).padStart(4, '0')}`
    const voucherId = crypto.randomUUID()
    await trx
      .insertInto('ledger_vouchers')
      .values({ id: voucherId, voucher_no: voucherNo, external_key: key, request_no: action.requestNo, voucher_date: action.date, memo: action.memo, created_at: Date.now() })
      .execute()
    await trx
      .insertInto('ledger_lines')
      .values(lines.map((line, i) => ({ voucher_id: voucherId, line_no: i + 1, ...line })))
      .execute()
    return { documentNo: voucherNo }
  }

  private async register(trx: Transaction<Schema>, action: Exclude<ErpAction, ExpenseVoucherAction>, key: string): Promise<ErpDocument> {
    const date = action.kind === 'hr.change' ? action.effectiveDate : action.date
    const prefix = DOCUMENT_PREFIX[action.kind]
    const month = date.slice(0, 7).replace('-', '')
    const documentNo = `${prefix}-${month}-${String(await takeNextNumber(trx, `ledger-${prefix}-${month}`)).padStart(4, '0')}`
    await trx
      .insertInto('ledger_documents')
      .values({
        id: crypto.randomUUID(),
        document_no: documentNo,
        external_key: key,
        request_no: action.requestNo,
        kind: action.kind,
        document_date: date,
        content: JSON.stringify(action),
        created_at: Date.now(),
      })
      .execute()
    return { documentNo }
  }
}

async function findIn(db: Kysely<Schema>, key: string): Promise<ErpDocument | null> {
  const voucher = await db.selectFrom('ledger_vouchers').select('voucher_no').where('external_key', '=', key).executeTakeFirst()
  if (voucher) return { documentNo: voucher.voucher_no }
  const document = await db.selectFrom('ledger_documents').select('document_no').where('external_key', '=', key).executeTakeFirst()
  return document ? { documentNo: document.document_no } : null
}

/** Debit the category's expense account in the cost centre, credit the amount owed to the employee: always balanced. */
async function voucherLines(trx: Transaction<Schema>, action: ExpenseVoucherAction) {
  if (!Number.isInteger(action.amountFen) || action.amountFen <= 0) {
    throw new ErpError('permanent', `凭证金额必须为正数（${action.amountFen} 分）。The amount must be positive.`, String(action.amountFen))
  }
  const accountCode = action.accountCode ?? EXPENSE_ACCOUNTS[action.category]?.code
  if (!accountCode) throw new ErpError('permanent', `未配置映射：费用类别 ${action.category} → 会计科目。No account for expense category ${action.category}.`, action.category)
  const account = await trx.selectFrom('ledger_accounts').select('code').where('code', '=', accountCode).executeTakeFirst()
  if (!account) throw new ErpError('permanent', `内置账簿中没有科目 ${accountCode}，请检查费用类别映射。Account ${accountCode} is not in the ledger.`, accountCode)
  const partner = action.employee.erpCode ? `${action.employee.erpCode} ${action.employee.name}` : action.employee.name
  return [
    { account_code: accountCode, partner: null, cost_center: action.department.costCenter ?? null, debit_fen: action.amountFen, credit_fen: 0 },
    { account_code: EMPLOYEE_PAYABLE.code, partner, cost_center: null, debit_fen: 0, credit_fen: action.amountFen },
  ]
}
