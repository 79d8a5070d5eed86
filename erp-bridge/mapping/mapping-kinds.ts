/**
 * The master data an ERP posting refers to, and what each is called on both sides. The labels
 * build the sentence an admin reads when one is missing: "未配置映射：部门 研发部 → 成本中心".
 */
export const MAPPING_KINDS = {
  employee: { local: '员工', erp: 'ERP 员工/往来单位', en: 'employee → ERP party' },
  department: { local: '部门', erp: '成本中心', en: 'department → cost centre' },
  expense_category: { local: '费用类别', erp: '会计科目', en: 'expense category → account' },
  purchase_item: { local: '采购物品', erp: '物料', en: 'purchase item → material' },
  /** Keyed by the item: the supplier an item is bought from. */
  supplier: { local: '物品供应商', erp: 'ERP 供应商', en: 'item → ERP supplier' },
} as const

export type MappingKind = keyof typeof MAPPING_KINDS

export const MAPPING_KIND_LIST = Object.keys(MAPPING_KINDS) as MappingKind[]

export function isMappingKind(value: string): value is MappingKind {
  return Object.hasOwn(MAPPING_KINDS, value)
}

/**
 * One piece of master data an action refers to: which kind, our key for it (user id, department
 * id, category code, item or supplier name as typed) and the name people know it by.
 */
export interface MappingRef {
  kind: MappingKind
  localKey: string
  label: string
  /** The code our own master data already holds for it (a department's cost centre, an employee's 工号). */
  masterCode?: string
}

/** "部门 研发部 → 成本中心" */
export function describeMissing(ref: MappingRef): string {
  const names = MAPPING_KINDS[ref.kind]
  return `${names.local} ${ref.label} → ${names.erp}`
}

/** Free text typed in chat ("ThinkPad  X1 ") and the same text in a CSV must meet on one key. */
export function normalizeFreeText(text: string): string {
  return text.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase()
}
