import { z } from 'zod'
import { html, type Html } from '../ui/html.js'

/** The slice of JSON Schema that z.toJSONSchema writes for our adapters' settings. */
interface JsonSchema {
  type?: string
  properties?: Record<string, JsonSchema>
  required?: string[]
  enum?: unknown[]
  format?: string
  default?: unknown
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  items?: JsonSchema
  additionalProperties?: JsonSchema | boolean
  const?: unknown
  oneOf?: JsonSchema[]
  anyOf?: JsonSchema[]
}

/** What admins read beside each setting; a setting not named here shows its key. */
const LABELS: Record<string, string> = {
  url: '地址',
  username: '用户名',
  login: '登录名',
  database: '数据库',
  company: '公司',
  companyCode: '公司代码',
  companyPartyCode: '公司往来单位编码',
  timeoutMs: '超时（毫秒）',
  maxInFlight: '同时发送的入账数',
  currency: '币别',
  exchangeRateType: '汇率类型',
  language: '语言',
  warehouse: '仓库',
  unit: '计量单位',
  orgNumber: '组织编码',
  orgCode: '组织编码',
  acctId: '账套 ID',
  appId: '应用 ID',
  appKey: '应用 Key',
  tenantId: '租户 ID',
  authMode: '认证方式',
  authMethod: '认证方式',
  autoAudit: '保存后自动提交审核',
  employeePayableAccount: '应付员工科目',
  payableAccount: '应付科目',
  expenseDocument: '报销单据类型',
  purchaseDocument: '采购单据类型',
  expenseClaimTypes: '费用类别 → 报销类型',
  expenseJournal: '费用日记账',
  keyField: '幂等键字段',
  requiredMappings: '入账前必须有的映射（都不选则用默认）',
  employeeNoIsErpCode: 'ERP 用我们的工号识别员工',
  markerFields: '幂等标记字段（单据 = 字段）',
  purchase: '采购',
  purchasing: '采购',
  expense: '报销',
  document: '单据',
  'expense.voucher': '报销入账',
  'purchase.requisition': '采购申请',
  'hr.change': '人事变动',
  'project.create': '项目立项',
}

const MAPPING_KIND_LABELS: Record<string, string> = { employee: '员工', department: '部门', expense_category: '费用类别', purchase_item: '采购物品', supplier: '物品供应商' }

const at = (value: unknown, key: string): unknown => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined)
const show = (v: unknown) => (v === undefined || v === null ? '' : String(v))

function label(key: string, extra = ''): Html {
  const zh = LABELS[key]
  return html`<span>${zh ? html`${zh} <span class="faint mono">${key}</span>` : html`<span class="mono">${key}</span>`}${extra}</span>`
}

/**
 * One input per setting, named by its path (`data-path`, so keys like "expense.voucher" survive):
 * text, URL and number inputs, selects for choices, checkboxes for yes/no and for lists of mapping
 * kinds, nested groups as fieldsets, "key = value" lines for tables, a union as a choice that
 * shows its own fields. Anything else would fall back to a JSON box for that one setting. Secret
 * fields are left out: the page renders them write-only.
 */
function field(key: string, schema: JsonSchema, path: string[], value: unknown, required: boolean): Html {
  const dataPath = JSON.stringify(path)
  const name = path.join('.')
  const optional = !required || schema.default !== undefined
  const hint = schema.default !== undefined && typeof schema.default !== 'object' ? `默认 default: ${String(schema.default)}` : ''
  const placeholder = hint || (optional ? '可选 optional' : '')
  if (schema.enum && schema.enum.every((e) => typeof e === 'string')) {
    return html`<label class="field">${label(key)}<select name="${name}" data-path="${dataPath}" ${optional ? 'data-optional' : 'required'}>
      ${optional ? html`<option value="">${hint || '（不设置 unset）'}</option>` : ''}${(schema.enum as string[]).map((e) => html`<option value="${e}" ${value === e ? 'selected' : ''}>${e}</option>`)}</select></label>`
  }
  const variants = schema.oneOf ?? schema.anyOf
  const tag = variants?.every((v) => v.properties) ? Object.keys(variants[0]!.properties!).find((k) => variants.every((v) => typeof v.properties![k]?.const === 'string')) : undefined
  if (variants && tag) {
    // A union told apart by one property (Kingdee's expense.document): a select for it, and the fields of the chosen variant (app.js disables the others).
    const chosen = at(value, tag) ?? variants[0]!.properties![tag]!.const
    return html`<fieldset class="field"><legend>${label(key)}</legend><div class="grid">
      <label class="field">${label(tag)}<select name="${[...path, tag].join('.')}" data-path="${JSON.stringify([...path, tag])}" data-union-switch>${variants.map((v) => {
        const option = String(v.properties![tag]!.const)
        return html`<option value="${option}" ${option === chosen ? 'selected' : ''}>${option}</option>`
      })}</select></label>
      ${variants.map((v) => {
        const option = String(v.properties![tag]!.const)
        return html`<div class="grid" data-variant="${option}" ${option === chosen ? '' : 'hidden'}>${Object.entries(v.properties!)
          .filter(([k]) => k !== tag)
          .map(([k, s]) => field(k, s, [...path, k], option === chosen ? at(value, k) : undefined, (v.required ?? []).includes(k)))}</div>`
      })}</div></fieldset>`
  }
  switch (schema.type) {
    case 'string':
      return html`<label class="field">${label(key)}<input type="${schema.format === 'uri' ? 'url' : 'text'}" name="${name}" data-path="${dataPath}" value="${show(value)}" placeholder="${placeholder}" ${optional ? 'data-optional' : 'required'} spellcheck="false"></label>`
    case 'integer':
    case 'number':
      return html`<label class="field">${label(key)}<input type="number" name="${name}" data-path="${dataPath}" value="${show(value)}" placeholder="${placeholder}" ${optional ? 'data-optional' : 'required'}
        ${schema.minimum !== undefined ? html`min="${schema.minimum}"` : schema.exclusiveMinimum !== undefined && schema.type === 'integer' ? html`min="${schema.exclusiveMinimum + 1}"` : ''} ${schema.maximum !== undefined ? html`max="${schema.maximum}"` : ''} step="${schema.type === 'integer' ? '1' : 'any'}"></label>`
    case 'boolean':
      return html`<label class="field check"><input type="checkbox" name="${name}" data-path="${dataPath}" ${(value ?? schema.default) === true ? 'checked' : ''}> ${label(key)}</label>`
    case 'array':
      if (schema.items?.enum) {
        const chosen = Array.isArray(value) ? value : []
        return html`<fieldset class="field choices"><legend>${label(key)}</legend>${(schema.items.enum as string[]).map(
          (e) => html`<label class="check"><input type="checkbox" name="${name}" data-path="${dataPath}" data-list value="${e}" ${chosen.includes(e) ? 'checked' : ''}> ${MAPPING_KIND_LABELS[e] ?? e}</label> `,
        )}</fieldset>`
      }
      break
    case 'object':
      if (schema.properties) {
        return html`<fieldset class="field"><legend>${label(key)}</legend><div class="grid">${Object.entries(schema.properties).map(([k, s]) =>
          field(k, s, [...path, k], at(value, k), (schema.required ?? []).includes(k)),
        )}</div></fieldset>`
      }
      if (typeof schema.additionalProperties === 'object') {
        const lines = value && typeof value === 'object' ? Object.entries(value).map(([k, v]) => `${k} = ${String(v)}`).join('\n') : ''
        return html`<label class="field">${label(key, '（每行一条：键 = 值 one "key = value" per line）')}<textarea name="${name}" data-path="${dataPath}" data-pairs ${optional ? 'data-optional' : ''} rows="3" class="mono" spellcheck="false">${lines}</textarea></label>`
      }
  }
  return html`<label class="field">${label(key, '（JSON）')}<textarea name="${name}" data-path="${dataPath}" data-json ${optional ? 'data-optional' : ''} rows="4" class="mono" spellcheck="false">${value === undefined ? '' : JSON.stringify(value, null, 2)}</textarea></label>`
}

/** The settings fields of an adapter kind, prefilled with a connection's stored (non-secret) settings. */
export function settingsFields(schemas: readonly z.ZodType[], secretFields: readonly string[], settings: Record<string, unknown>): Html {
  return html`${schemas.map((schema) => {
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema
    return Object.entries(json.properties ?? {})
      .filter(([key]) => !secretFields.includes(key))
      .map(([key, s]) => field(key, s, ['settings', key], settings[key], (json.required ?? []).includes(key)))
  })}`
}
