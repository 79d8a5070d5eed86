import type { Context } from 'hono'
import { formatYuan } from '../../workflow/money.js'
import type { Policy, RuleKind, RuleParams } from '../../workflow/policy/policy-rules.js'
import { RULE_PARAMS } from '../../workflow/policy/policy-rules.js'
import type { InvalidPolicy, PolicyStore } from '../../workflow/policy/policy-store.js'
import { EXPENSE_CATEGORY_LABELS } from '../../workflow/request-types.js'
import type { Viewer } from '../auth/viewer.js'
import { renderPage } from '../ui/layout.js'
import { bi, empty, html, type Html } from '../ui/html.js'

export const RULE_LABELS: Record<RuleKind, string> = {
  category_limit: '差旅标准（按类别 × 职级 × 城市）Travel standard',
  claim_cap: '单笔上限 Per-claim cap',
  monthly_cap: '月度上限 Monthly cap',
  invoice_format: '发票号码格式 Invoice number format',
  invoice_duplicate: '发票重复报销 Duplicate invoice',
  receipt_required: '需附票据 Receipt required',
  split_claim: '拆单报销 Split claims',
}

const category = (code: unknown) => (typeof code === 'string' ? (EXPENSE_CATEGORY_LABELS as Record<string, string>)[code] ?? code : '所有费用')

/** One sentence per rule, the way finance would say it. */
function describe(p: Policy): string {
  const params = p.params as Record<string, unknown>
  const yuan = (key: string) => `¥${formatYuan(Number(params[key]))}`
  switch (p.kind) {
    case 'claim_cap':
      return `${category(params.category)}单笔不超过 ${yuan('maxFen')}`
    case 'monthly_cap':
      return `${category(params.category)}每人每月不超过 ${yuan('maxFen')}`
    case 'receipt_required':
      return `${category(params.category)}超过 ${yuan('aboveFen')} 须附票据`
    case 'split_claim':
      return `${params.windowDays} 天内 ${params.minCount} 笔以上、每笔接近 ${yuan('thresholdFen')}（≥${Math.round(Number(params.nearRatio) * 100)}%）视为拆单`
    case 'category_limit':
      return `${category(params.category)}按职级与城市等级限额（每${params.unit === 'night' ? '晚' : params.unit === 'day' ? '天' : '笔'}），共 ${(params.limits as unknown[]).length} 档`
    case 'invoice_format':
      return '发票号码须为 20 位数电票号码，或 8 位号码加 10/12 位代码'
    case 'invoice_duplicate':
      return '同一张发票不得重复报销'
  }
}

const categoryOptions = (selected: unknown): Html =>
  html`<option value="" ${selected === undefined ? 'selected' : ''}>全部类别 All</option>${Object.entries(EXPENSE_CATEGORY_LABELS).map(([code, label]) => html`<option value="${code}" ${selected === code ? 'selected' : ''}>${label}</option>`)}`

const UNIT_LABELS = { night: '每晚 per night', day: '每天 per day', claim: '每笔 per claim' } as const
/** Rows for new limits beyond the stored ones; a row left empty is not sent. */
const SPARE_LIMIT_ROWS = 2

/**
 * The tiered travel standard as a table: one row per limit (city tier, level range, amount in
 * yuan), cities and their tiers as "城市 = 档位" lines. Emptying a row removes that limit.
 */
function categoryLimitFields(params: Partial<RuleParams<'category_limit'>>): Html {
  const limits = [...(params.limits ?? []), ...Array.from({ length: SPARE_LIMIT_ROWS }, () => undefined)]
  const cell = (i: number, key: string, value: number | undefined, attrs: Html) =>
    html`<td><input type="number" name="params.limits.${i}.${key}" data-path="${JSON.stringify(['params', 'limits', i, key])}" data-optional value="${value ?? ''}" ${attrs} aria-label="${key} ${i + 1}"></td>`
  return html`<label class="field"><span>类别 Category</span><select name="params.category" required>${Object.entries(EXPENSE_CATEGORY_LABELS).map(([code, label]) => html`<option value="${code}" ${params.category === code ? 'selected' : ''}>${label}</option>`)}</select></label>
    <label class="field"><span>标准单位 Unit</span><select name="params.unit" required>${Object.entries(UNIT_LABELS).map(([unit, label]) => html`<option value="${unit}" ${params.unit === unit ? 'selected' : ''}>${label}</option>`)}</select></label>
    <div class="field"><span>标准 Limits（清空一行即删除 empty a row to remove it）</span><div class="table-wrap"><table class="data limits"><thead><tr><th>城市档位 Tier</th><th>最低职级 Min level</th><th>最高职级 Max level</th><th>上限（元）Cap ¥</th></tr></thead><tbody>
      ${limits.map((l, i) => html`<tr>${cell(i, 'cityTier', l?.cityTier, html`min="1" max="5" step="1"`)}${cell(i, 'minLevel', l?.minLevel, html`min="0" max="99" step="1"`)}${cell(i, 'maxLevel', l?.maxLevel, html`min="0" max="99" step="1"`)}${cell(i, 'maxFen', l?.maxFen === undefined ? undefined : l.maxFen / 100, html`data-scale="100" min="0.01" step="0.01"`)}</tr>`)}
    </tbody></table></div></div>
    <label class="field"><span>城市档位（每行：城市 = 档位 1–5）City tiers, one "city = tier" per line</span><textarea name="params.cityTiers" data-pairs="number" rows="6" class="mono" spellcheck="false">${Object.entries(params.cityTiers ?? {}).map(([city, tier]) => `${city} = ${tier}`).join('\n')}</textarea></label>
    <label class="field"><span>未知城市按档位 Tier for unknown cities</span><input type="number" name="params.defaultTier" min="1" max="5" step="1" required value="${params.defaultTier ?? ''}"></label>`
}

/** A policy as the form edits it: a valid one, or a stored one that no longer validates, whatever its params hold. */
type Editable = Pick<Policy | InvalidPolicy, 'code' | 'kind' | 'severity' | 'params'>

/** Every parameter gets a field (amounts in yuan). */
function paramFields(p: Pick<Editable, 'kind' | 'params'>): Html {
  const params = (p.params ?? {}) as Record<string, unknown>
  const money = (key: string, label: string) =>
    html`<label class="field"><span>${label}（元 yuan）</span><input type="number" name="params.${key}" data-scale="100" min="0.01" step="0.01" required value="${params[key] === undefined ? '' : Number(params[key]) / 100}"></label>`
  const cat = html`<label class="field"><span>类别 Category</span><select name="params.category" data-optional>${categoryOptions(params.category)}</select></label>`
  switch (p.kind) {
    case 'claim_cap':
    case 'monthly_cap':
      return html`${cat}${money('maxFen', '上限 Cap')}`
    case 'receipt_required':
      return html`${cat}${money('aboveFen', '超过 Above')}`
    case 'split_claim':
      return html`${cat}${money('thresholdFen', '审批门槛 Threshold')}
        <label class="field"><span>接近比例 Near ratio (0–1)</span><input type="number" name="params.nearRatio" step="0.05" min="0.05" max="0.95" value="${String(params.nearRatio ?? 0.8)}"></label>
        <label class="field"><span>时间窗（天）Window days</span><input type="number" name="params.windowDays" min="1" max="366" value="${String(params.windowDays ?? 7)}"></label>
        <label class="field"><span>笔数 Min count</span><input type="number" name="params.minCount" min="2" value="${String(params.minCount ?? 2)}"></label>`
    case 'category_limit':
      return categoryLimitFields(params as Partial<RuleParams<'category_limit'>>)
    default:
      return html`<input type="hidden" name="params" data-json value="{}">`
  }
}

function policyForm(p: Editable, isNew = false): Html {
  return html`<form class="grid" data-post="/api/admin/policies/${p.code}" data-method="PUT">
    <input type="hidden" name="kind" value="${p.kind}">
    <label class="field"><span>级别 Severity</span><select name="severity"><option value="block" ${p.severity === 'block' ? 'selected' : ''}>拦截 block</option><option value="warn" ${p.severity === 'warn' ? 'selected' : ''}>提醒 warn</option></select></label>
    ${paramFields(p)}
    <div class="btn-row"><button class="btn primary" type="submit">${isNew ? '添加 Add' : '保存 Save'}</button></div>
  </form>`
}

export async function renderPoliciesPage(c: Context, policies: PolicyStore, viewer: Viewer): Promise<Response> {
  const list = await policies.list()
  const used = new Set(list.map((p) => p.code))
  const body = html`
<div class="page-head"><div><h1>${bi('报销规则', 'Policies')}</h1><p class="faint">提交前检查；“拦截”阻止提交，“提醒”显示给审批人 / checked before submit: block stops it, warn tells the approvers</p></div></div>
<section class="panel" id="policies">
  ${list.length ? html`<ul class="list">${list.map(
    (p) => html`<li data-policy="${p.code}" ${'invalid' in p ? 'data-invalid' : ''}><div class="item-main">
      <div class="item-title">${RULE_LABELS[p.kind as RuleKind] ?? p.kind} <span class="faint mono">${p.code}</span></div>
      ${'invalid' in p ? html`<div class="item-sub policy-invalid">未生效，请修改或停用：${p.reason}</div>` : html`<div class="item-sub policy-summary">${describe(p)}</div>`}
      <details ${'invalid' in p ? 'open' : ''}><summary>编辑 Edit</summary>${policyForm(p)}
        <button class="btn small danger" type="button" data-call="/api/admin/policies/${p.code}" data-method="DELETE" data-confirm="停用规则 ${p.code}？Disable it?">停用 Disable</button></details>
    </div><div class="item-side">${
      'invalid' in p
        ? html`<span class="badge red">无效 invalid</span>`
        : html`<span class="badge ${p.severity === 'block' ? 'red' : 'orange'}">${p.severity === 'block' ? '拦截 block' : '提醒 warn'}</span>`
    }</div></li>`,
  )}</ul>` : empty('没有启用的规则', 'No active policy')}
</section>
<section class="panel" id="new-policy"><h2>${bi('添加规则', 'Add a rule')}</h2>
  ${(Object.keys(RULE_PARAMS) as RuleKind[]).map((kind) => {
    const code = [kind.toUpperCase(), `${kind.toUpperCase()}_2`, `${kind.toUpperCase()}_3`].find((c) => !used.has(c)) ?? `${kind.toUpperCase()}_${Date.now() % 1000}`
    return html`<details data-new-kind="${kind}"><summary>${RULE_LABELS[kind]}</summary><p class="faint">规则代码 code: <span class="mono">${code}</span></p>${policyForm({ code, kind, severity: 'warn', params: {} }, true)}</details>`
  })}
</section>`
  return renderPage(c, { title: '报销规则', viewer, section: 'policies', body })
}
