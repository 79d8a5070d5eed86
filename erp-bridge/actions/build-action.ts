import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { EXPENSE_CATEGORY_LABELS, expensePayloadSchema } from '../../workflow/request-types.js'
import { companyDate } from '../../workflow/shanghai-time.js'
import { ErpError, type ErpAction } from '../erp-adapter.js'

/**
 * Turns an approved request into the ERP action its type calls for. Read at posting time:
 * an approved request never changes, so the action is the same on every retry.
 */
export async function buildErpAction(db: Kysely<Schema>, requestId: string): Promise<ErpAction> {
  const row = await db
    .selectFrom('requests')
    .innerJoin('users', 'users.id', 'requests.requester_id')
    .innerJoin('departments', 'departments.id', 'users.department_id')
    .select([
      'requests.type', 'requests.request_no', 'requests.payload', 'requests.finished_at',
      'users.id as user_id', 'users.name as user_name', 'users.employee_no',
      'departments.id as department_id', 'departments.name as department_name', 'departments.cost_center',
    ])
    .where('requests.id', '=', requestId)
    .executeTakeFirst()
  if (!row?.request_no) throw new ErpError('permanent', '找不到待入账的申请', requestId)

  if (row.type === 'expense') {
    const payload = expensePayloadSchema.parse(JSON.parse(row.payload))
    return {
      kind: 'expense.voucher',
      requestNo: row.request_no,
      date: companyDate(Number(row.finished_at ?? Date.now())),
      employee: { id: row.user_id, name: row.user_name, erpCode: row.employee_no },
      department: { id: row.department_id, name: row.department_name, costCenter: row.cost_center ?? undefined },
      category: payload.category,
      amountFen: payload.amountFen,
      memo: `${row.request_no} ${row.user_name} ${EXPENSE_CATEGORY_LABELS[payload.category]}${payload.reason ? ` ${payload.reason}` : ''}`,
    }
  }
  throw new ErpError('permanent', `暂不支持该申请类型入账（${row.type}）`, row.type)
}
