import type { ErpParty, ExpenseVoucherAction, HrChangeAction, ProjectAction, PurchaseAction } from '../../erp-bridge/erp-adapter.js'

/**
 * The approved actions the adapter tests post: 张三 of 研发部 claims a train ticket, orders two
 * laptops, opens a project or leaves. Each ERP's test overrides what its books call them by (codes,
 * cost centres, accounts) and a date inside its open periods; the rest is the same story everywhere.
 */

type Department = ExpenseVoucherAction['department']

/** 张三, with the code an ERP knows him by when it has one. */
export function zhangsan(erpCode?: string): ErpParty {
  return erpCode === undefined ? { id: 'u1', name: '张三' } : { id: 'u1', name: '张三', erpCode }
}

/** 研发部, with its cost centre in the ERP when it has one. */
export function rnd(costCenter?: string): Department {
  return costCenter === undefined ? { id: 'd1', name: '研发部' } : { id: 'd1', name: '研发部', costCenter }
}

export function sampleExpense(overrides: Partial<ExpenseVoucherAction> = {}): ExpenseVoucherAction {
  const claim = { category: 'travel', amountFen: 128_50, memo: '上海出差高铁票' }
  return { kind: 'expense.voucher', requestNo: 'BX-202611-0001', date: '2026-11-20', employee: zhangsan('E001'), department: rnd('BM001'), ...claim, ...overrides }
}

/** The larger claim the ERPNext, SAP and Odoo tests post (their amounts are asserted in 3500.50). */
export const BEIJING_TRIP = { date: '2026-11-25', amountFen: 350_050, memo: '11月北京出差' } as const satisfies Partial<ExpenseVoucherAction>

export function samplePurchase(overrides: Partial<PurchaseAction> = {}): PurchaseAction {
  const order = { item: '笔记本电脑', quantity: 2, budgetFen: 13_000_00, memo: '新员工入职' }
  return { kind: 'purchase.requisition', requestNo: 'CG-202611-0001', date: '2026-11-21', requester: zhangsan('E001'), department: rnd('BM001'), ...order, ...overrides }
}

/** The laptop order the ERPNext, SAP and Odoo tests post, by a requester they know only by name. */
export const TWO_THINKPADS = { date: '2026-11-25', requester: zhangsan(), item: 'ThinkPad X1 笔记本', budgetFen: 2_000_000, memo: '新员工' } as const satisfies Partial<PurchaseAction>

/** Orders whose unit price is not a whole fen: many cheap units, and budgets that do not divide. */
export const ODD_ORDERS = [
  { item: '螺丝 M3', quantity: 10_000, budgetFen: 3_000 },
  { item: '培训名额', quantity: 3, budgetFen: 10_000 },
  { item: '显示器', quantity: 7, budgetFen: 100_000 },
] as const satisfies readonly Partial<PurchaseAction>[]

export function sampleProject(overrides: Partial<ProjectAction> = {}): ProjectAction {
  return { kind: 'project.create', requestNo: 'XM-1', date: '2026-11-25', title: '新官网', owner: zhangsan(), budgetFen: 100, memo: '', ...overrides }
}

export function sampleHrChange(overrides: Partial<HrChangeAction> = {}): HrChangeAction {
  return { kind: 'hr.change', requestNo: 'RS-1', employee: zhangsan(), change: 'resign', effectiveDate: '2026-12-01', memo: '', ...overrides }
}

/** Request numbers of one prefix, a new one each call, so the tests of a file never share a key. */
export function requestNumbers(): (prefix: string) => string {
  let serial = 0
  return (prefix) => `${prefix}-202611-${String(++serial).padStart(4, '0')}`
}
