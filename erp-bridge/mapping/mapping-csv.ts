import type { Kysely } from 'kysely'
import Papa from 'papaparse'
import type { Schema } from '../../db/schema.js'
import { EXPENSE_CATEGORY_LABELS } from '../../workflow/request-types.js'
import { isMappingKind, MAPPING_KINDS, normalizeFreeText, type MappingKind } from './mapping-kinds.js'
import type { MappingEntry } from './mapping-store.js'

export type MappingInput = Omit<MappingEntry, 'updatedAt'>

export interface CsvImport {
  entries: MappingInput[]
  /** "第 3 行：找不到工号或姓名为 E9999 的员工" — any error and nothing should be saved. */
  errors: string[]
}

/** Header names accepted for each column, English or as a Chinese spreadsheet would have them. */
const COLUMNS = {
  kind: ['kind', 'type', '类型', '映射类型'],
  local: ['local', 'local_key', '本系统', '本系统编码', '本系统名称', '名称', '工号'],
  erpCode: ['erp_code', 'code', 'erp编码', 'erp 编码', 'erp代码'],
  erpName: ['erp_name', 'erp名称', 'erp 名称', '说明'],
} as const

const KIND_ALIASES: Record<string, MappingKind> = Object.fromEntries(
  Object.entries(MAPPING_KINDS).flatMap(([kind, names]) => [[kind, kind], [names.local, kind]]),
) as Record<string, MappingKind>
KIND_ALIASES['供应商'] = 'supplier'
KIND_ALIASES['物料'] = 'purchase_item'
KIND_ALIASES['成本中心'] = 'department'
KIND_ALIASES['科目'] = 'expense_category'

/**
 * Reads a mapping table exported from a spreadsheet: one row per mapping, columns
 * 类型/kind, 本系统/local (工号 or name, department name, category 差旅费 or travel, item text),
 * ERP编码/erp_code and optionally ERP名称/erp_name. With `kind` given the kind column may be left out.
 * Every row is checked against our master data; errors name the line.
 */
export async function parseMappingCsv(db: Kysely<Schema>, text: string, kind?: MappingKind): Promise<CsvImport> {
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), {
    header: true,
    skipEmptyLines: 'greedy',
    transformHeader: (header) => header.trim().toLowerCase(),
  })
  const errors = parsed.errors.map((e) => `第 ${(e.row ?? 0) + 2} 行：CSV 格式错误（${e.message}）`)
  const fields = parsed.meta.fields ?? []
  const column = (names: readonly string[]) => fields.find((f) => names.includes(f))
  const kindColumn = column(COLUMNS.kind)
  const localColumn = column(COLUMNS.local)
  const codeColumn = column(COLUMNS.erpCode)
  const nameColumn = column(COLUMNS.erpName)
  if (!localColumn || !codeColumn || (!kindColumn && !kind)) {
    const needed = [kindColumn || kind ? '' : '类型(kind)', localColumn ? '' : '本系统(local)', codeColumn ? '' : 'ERP编码(erp_code)'].filter(Boolean)
    return { entries: [], errors: [`CSV 缺少列：${needed.join('、')}。Missing columns: kind, local, erp_code.`] }
  }

  const resolve = await localKeyResolver(db)
  const entries: MappingInput[] = []
  const seen = new Map<string, number>()
  parsed.data.forEach((row, index) => {
    const line = index + 2
    const rawKind = (kindColumn ? row[kindColumn] : undefined)?.trim() || kind || ''
    const rowKind = KIND_ALIASES[rawKind] ?? KIND_ALIASES[rawKind.toLowerCase()]
    const local = row[localColumn]?.trim() ?? ''
    const erpCode = row[codeColumn]?.trim() ?? ''
    if (!rowKind || !isMappingKind(rowKind)) return errors.push(`第 ${line} 行：不认识的类型「${rawKind}」（可用：员工、部门、费用类别、采购物品、物品供应商）`)
    if (!local) return errors.push(`第 ${line} 行：本系统一列为空`)
    if (!erpCode) return errors.push(`第 ${line} 行：${MAPPING_KINDS[rowKind].local} ${local} 的 ERP 编码为空`)
    const resolved = resolve(rowKind, local)
    if ('error' in resolved) return errors.push(`第 ${line} 行：${resolved.error}`)
    const key = `${rowKind}:${resolved.localKey}`
    const earlier = seen.get(key)
    if (earlier) return errors.push(`第 ${line} 行：与第 ${earlier} 行重复（${MAPPING_KINDS[rowKind].local} ${local}）`)
    seen.set(key, line)
    entries.push({ kind: rowKind, localKey: resolved.localKey, erpCode, erpName: (nameColumn ? row[nameColumn]?.trim() : '') || null })
  })
  return { entries, errors }
}

type Resolved = { localKey: string } | { error: string }

/** People write 工号 or names and department names; we store user ids, department ids and category codes. */
export async function localKeyResolver(db: Kysely<Schema>): Promise<(kind: MappingKind, text: string) => Resolved> {
  const users = await db.selectFrom('users').select(['id', 'employee_no', 'name']).execute()
  const departments = await db.selectFrom('departments').select(['id', 'name']).execute()
  const categories = Object.entries(EXPENSE_CATEGORY_LABELS)
  return (kind, text) => {
    switch (kind) {
      case 'employee': {
        const byNo = users.filter((u) => u.employee_no === text || u.id === text)
        const matches = byNo.length ? byNo : users.filter((u) => u.name === text)
        if (matches.length === 1) return { localKey: matches[0]!.id }
        return { error: matches.length ? `有多名员工叫 ${text}，请改用工号` : `找不到工号或姓名为 ${text} 的员工` }
      }
      case 'department': {
        const byId = departments.filter((d) => d.id === text)
        const matches = byId.length ? byId : departments.filter((d) => d.name === text)
        if (matches.length === 1) return { localKey: matches[0]!.id }
        return { error: matches.length ? `有多个部门叫 ${text}，请改用部门编号` : `找不到部门 ${text}` }
      }
      case 'expense_category': {
        const match = categories.find(([code, label]) => code === text.toLowerCase() || label === text || label.replace(/费$/, '') === text)
        return match ? { localKey: match[0] } : { error: `不认识的费用类别 ${text}（可用：${categories.map(([, l]) => l).join('、')}）` }
      }
      case 'purchase_item':
      case 'supplier':
        return { localKey: normalizeFreeText(text) }
    }
  }
}
