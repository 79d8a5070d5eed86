import { EXPENSE_ACCOUNTS, EMPLOYEE_PAYABLE } from '../../erp-bridge/adapters/ledger/ledger-chart.js'
import { trytonDate, trytonDecimal, type TrytonClient } from '../../erp-bridge/adapters/tryton/tryton-client.js'

/**
 * What an accountant does in a new Tryton database before the bridge can post into it, done
 * over JSON-RPC as the admin: a company in CNY, the minimal chart plus the PRC expense and
 * payable accounts (same codes as our built-in ledger), fiscal years with monthly periods,
 * employees, a supplier, a product, and a user for the bridge with the admin's rights.
 */

export const BOOKS = {
  company: { code: 'C001', name: '示例科技有限公司' },
  employees: [
    { code: 'E001', name: '张三' },
    { code: 'E002', name: '李四' },
    { code: 'E003', name: '王五' },
  ],
  /** The employee the bridge user acts as; Tryton stamps it on approvals. */
  bridgeEmployee: { code: 'E900', name: '审批机器人' },
  supplier: { code: 'S001', name: '联想（北京）有限公司' },
  product: { code: 'MAT-001', name: '笔记本电脑' },
  bridgeUser: { login: 'bridge', password: 'bridge-pass-2026' },
  expenseAccounts: Object.fromEntries(Object.entries(EXPENSE_ACCOUNTS).map(([category, account]) => [category, account.code])),
  payableAccount: EMPLOYEE_PAYABLE.code,
  expenseJournal: 'EXP',
  warehouse: 'WH',
} as const

export async function setUpBooks(admin: TrytonClient, years: number[]): Promise<void> {
  const [currency] = await admin.create('currency.currency', [
    { name: '人民币', code: 'CNY', numeric_code: '156', symbol: '¥', rounding: trytonDecimal('0.01'), digits: 2 },
  ])
  const [companyParty] = await admin.create('party.party', [{ name: BOOKS.company.name, code: BOOKS.company.code }])
  const [company] = await admin.create('company.company', [{ party: companyParty, currency }])
  const people = [...BOOKS.employees, BOOKS.bridgeEmployee]
  const partyIds = await admin.create('party.party', people.map((p) => ({ name: p.name, code: p.code })))
  const employeeIds = await admin.create(
    'company.employee',
    partyIds.map((party) => ({ party, company, start_date: trytonDate('2020-01-01') })),
  )
  const bridgeEmployee = employeeIds[employeeIds.length - 1]!
  const adminId = await one(admin, 'res.user', [['login', '=', 'admin']])
  await admin.write('res.user', [adminId], { companies: [['add', [company]]], company, employees: [['add', employeeIds]], employee: bridgeEmployee })
  // The session's context carries the company only from the next login.
  await admin.logout()

  await createChart(admin, company!)
  await createYears(admin, company!, years)
  await admin.create('party.party', [{ name: BOOKS.supplier.name, code: BOOKS.supplier.code }])
  const unit = await one(admin, 'product.uom', [['symbol', '=', 'u']])
  await admin.create('product.template', [
    {
      name: BOOKS.product.name,
      type: 'goods',
      default_uom: unit,
      purchasable: true,
      purchase_uom: unit,
      list_price: trytonDecimal('6999'),
      products: [['create', [{ suffix_code: BOOKS.product.code, cost_price: trytonDecimal('5200') }]]],
    },
  ])

  const adminGroups = (await admin.read<{ groups: number[] }>('res.user', [adminId], ['groups']))[0]!.groups
  const adminGroup = await modelDataId(admin, 'res', 'group_admin')
  await admin.create('res.user', [
    {
      name: BOOKS.bridgeEmployee.name,
      login: BOOKS.bridgeUser.login,
      password: BOOKS.bridgeUser.password,
      language: await one(admin, 'ir.lang', [['code', '=', 'zh_CN']]),
      groups: [['add', adminGroups.filter((g) => g !== adminGroup)]],
      companies: [['add', [company]]],
      company,
      employees: [['add', [bridgeEmployee]]],
      employee: bridgeEmployee,
    },
  ])
}

/** The minimal chart through Tryton's own wizard, then the PRC accounts our adapter is configured with. */
async function createChart(admin: TrytonClient, company: number): Promise<void> {
  const root = await one(admin, 'account.account.template', [['parent', '=', null]])
  const [session] = await admin.wizard<[number]>('account.create_chart', 'create')
  const wizard = (state: string, data: Record<string, unknown>) => admin.wizard('account.create_chart', 'execute', [session, data, state])
  await wizard('account', {})
  await wizard('create_account', { account: { company, account_template: root } })
  const receivable = await one(admin, 'account.account', [['type.receivable', '=', true], ['company', '=', company]])
  const payable = await one(admin, 'account.account', [['type.payable', '=', true], ['company', '=', company]])
  await wizard('create_properties', { properties: { company, account_receivable: receivable, account_payable: payable } })
  await admin.wizard('account.create_chart', 'delete', [session])

  const expense = await one(admin, 'account.account', [['type.expense', '=', true], ['company', '=', company]])
  const [expenseRow] = await admin.read<{ type: number }>('account.account', [expense], ['type'])
  const [payableRow] = await admin.read<{ type: number }>('account.account', [payable], ['type'])
  await admin.write('account.account', [expense], { code: '6602', name: '管理费用' })
  await admin.write('account.account', [payable], { code: '2202', name: '应付账款' })
  await admin.create('account.account', [
    ...Object.values(EXPENSE_ACCOUNTS).map((a) => ({ company, code: a.code, name: a.name, type: expenseRow!.type, parent: expense })),
    { company, code: EMPLOYEE_PAYABLE.code, name: EMPLOYEE_PAYABLE.name, type: payableRow!.type, reconcile: true, party_required: true },
  ])
  await admin.write('account.configuration', [1], { default_category_account_expense: expense })
}

/** A fiscal year per calendar year with monthly periods, 记-<year>-0001 post numbers and invoice sequences. */
async function createYears(admin: TrytonClient, company: number, years: number[]): Promise<void> {
  const moveType = await modelDataId(admin, 'account', 'sequence_type_account_move')
  const invoiceType = await modelDataId(admin, 'account_invoice', 'sequence_type_account_invoice')
  for (const year of years) {
    const [postSequence] = await admin.create('ir.sequence', [
      { name: `记账凭证 ${year}`, sequence_type: moveType, company, prefix: `记-${year}-`, padding: 4 },
    ])
    const [invoiceSequence] = await admin.create('ir.sequence.strict', [
      { name: `发票 ${year}`, sequence_type: invoiceType, company, prefix: `FP-${year}-`, padding: 4 },
    ])
    const [fiscalYear] = await admin.create('account.fiscalyear', [
      {
        name: String(year),
        company,
        start_date: trytonDate(`${year}-01-01`),
        end_date: trytonDate(`${year}-12-31`),
        post_move_sequence: postSequence,
        invoice_sequences: [
          [
            'create',
            [
              {
                company,
                in_invoice_sequence: invoiceSequence,
                in_credit_note_sequence: invoiceSequence,
                out_invoice_sequence: invoiceSequence,
                out_credit_note_sequence: invoiceSequence,
              },
            ],
          ],
        ],
      },
    ])
    await admin.call('account.fiscalyear', 'create_period', [[fiscalYear]])
  }
}

async function one(client: TrytonClient, model: string, domain: unknown[]): Promise<number> {
  const ids = await client.search(model, domain, 2)
  if (ids.length !== 1) throw new Error(`setup expected one ${model} for ${JSON.stringify(domain)}, found ${ids.length}`)
  return ids[0]!
}

async function modelDataId(client: TrytonClient, module: string, fsId: string): Promise<number> {
  const rows = await client.searchRead<{ db_id: number }>('ir.model.data', [['module', '=', module], ['fs_id', '=', fsId]], ['db_id'], 1)
  if (!rows[0]) throw new Error(`setup: no ${module}.${fsId} in ir.model.data`)
  return rows[0].db_id
}
