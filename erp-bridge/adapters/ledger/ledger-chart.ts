/**
 * The built-in ledger's chart of accounts, numbered after the PRC enterprise chart (企业会计准则):
 * 6602 管理费用 with one sub-account per expense category, 2241 其他应付款 for amounts owed to staff.
 */
export const EXPENSE_ACCOUNTS: Record<string, { code: string; name: string }> = {
  travel: { code: '6602.01', name: '管理费用-差旅费' },
  transport: { code: '6602.02', name: '管理费用-交通费' },
  meal: { code: '6602.03', name: '管理费用-餐费' },
  lodging: { code: '6602.04', name: '管理费用-住宿费' },
  office: { code: '6602.05', name: '管理费用-办公费' },
  entertainment: { code: '6602.06', name: '管理费用-业务招待费' },
  training: { code: '6602.07', name: '管理费用-培训费' },
  communication: { code: '6602.08', name: '管理费用-通讯费' },
  other: { code: '6602.99', name: '管理费用-其他' },
}

export const EMPLOYEE_PAYABLE = { code: '2241.01', name: '其他应付款-员工报销' }

export const LEDGER_ACCOUNTS = [
  ...Object.values(EXPENSE_ACCOUNTS).map((a) => ({ ...a, kind: 'expense' })),
  { ...EMPLOYEE_PAYABLE, kind: 'liability' },
]
