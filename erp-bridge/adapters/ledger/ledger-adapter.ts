import type { Kysely } from 'kysely'
import { nextCounterValue } from '../../../db/counters.js'
import type { Schema } from '../../../db/schema.js'
import { inTransaction } from '../../../db/transaction.js'
import { ErpError, type ErpAction, type ErpAdapter, type ErpDocument, type ExpenseVoucherAction } from '../../erp-adapter.js'
import { EMPLOYEE_PAYABLE, EXPENSE_ACCOUNTS, LEDGER_ACCOUNTS } from './ledger-chart.js'

/**
 * The ERP that ships with the product: double-entry vouchers in our own database, so a fresh
 * install closes the loop without any external system. The idempotency key is a unique column.
 */
export class LedgerAdapter implements ErpAdapter {
  readonly name = 'ledger'

  constructor(private readonly db: Kysely<Schema>) {}

  async installChart(): Promise<void> {
    for (const account of LEDGER_ACCOUNTS) {
      await this.db.insertInto('ledger_accounts').orIgnore().values(account).execute()
    }
  }

  async post(action: ErpAction, idempotencyKey: string): Promise<ErpDocument> {
    if (action.kind !== 'expense.voucher') {
      throw new ErpError('permanent', `内置账簿暂不支持该业务（${action.kind}），请在管理后台连接 ERP`, action.kind)
    }
    return inTransaction(this.db, async (trx) => {
      const existing = await trx.selectFrom('ledger_vouchers').select('voucher_no').where('external_key', '=', idempotencyKey).executeTakeFirst()
      if (existing) return { documentNo: existing.voucher_no }
      const lines = voucherLines(action)
      const month = action.date.slice(0, 7).replace('-', '')
      const voucherNo = `记-${month}-${String(await nextCounterValue(trx, `ledger-${month}`)).padStart(4, '0')}`
      const voucherId = crypto.randomUUID()
      await trx
        .insertInto('ledger_vouchers')
        .values({
          id: voucherId,
          voucher_no: voucherNo,
          external_key: idempotencyKey,
          request_no: action.requestNo,
          voucher_date: action.date,
          memo: action.memo,
          created_at: Date.now(),
        })
        .execute()
      await trx
        .insertInto('ledger_lines')
        .values(lines.map((line, i) => ({ voucher_id: voucherId, line_no: i + 1, ...line })))
        .execute()
      return { documentNo: voucherNo }
    })
  }

  async find(idempotencyKey: string): Promise<ErpDocument | null> {
    const row = await this.db.selectFrom('ledger_vouchers').select('voucher_no').where('external_key', '=', idempotencyKey).executeTakeFirst()
    return row ? { documentNo: row.voucher_no } : null
  }

  async testConnection(): Promise<{ ok: true; detail: string }> {
    const accounts = await this.db.selectFrom('ledger_accounts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    return { ok: true, detail: `内置账簿可用，科目 ${Number(accounts.n)} 个` }
  }
}

/** Debit the category's expense account, credit the amount owed to the employee: always balanced. */
function voucherLines(action: ExpenseVoucherAction) {
  const expense = EXPENSE_ACCOUNTS[action.category]
  if (!expense) throw new ErpError('permanent', `未配置费用类别 ${action.category} 对应的会计科目`, action.category)
  if (!Number.isInteger(action.amountFen) || action.amountFen <= 0) {
    throw new ErpError('permanent', '凭证金额必须为正数', String(action.amountFen))
  }
  return [
    { account_code: expense.code, partner: null, debit_fen: action.amountFen, credit_fen: 0 },
    { account_code: EMPLOYEE_PAYABLE.code, partner: action.employee.erpCode ?? action.employee.name, debit_fen: 0, credit_fen: action.amountFen },
  ]
}
