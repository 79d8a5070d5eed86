import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { inTransaction } from '../../db/transaction.js'
import { consoleJsonLog } from '../../ops/logging/log.js'
import { appendAudit } from '../audit.js'
import { DomainError, isDomainError } from '../errors.js'
import { RULE_PARAMS, type Policy, type RuleKind } from './policy-rules.js'

function isRuleKind(kind: string): kind is RuleKind {
  return Object.hasOwn(RULE_PARAMS, kind)
}

/** Validates one policy as an admin would write it; the error says what is wrong. */
export function parsePolicy(input: { code: string; kind: string; severity: string; params: unknown }): Policy {
  if (!/^[A-Z][A-Z0-9_]{1,63}$/.test(input.code)) throw new DomainError('VALIDATION', `规则代码应为大写字母、数字和下划线：${input.code}`, `policy code must be UPPER_SNAKE: ${input.code}`)
  if (!isRuleKind(input.kind)) throw new DomainError('VALIDATION', `未知的规则类型：${input.kind}`, `unknown rule kind: ${input.kind}`)
  if (input.severity !== 'block' && input.severity !== 'warn') throw new DomainError('VALIDATION', '规则级别只能是 block 或 warn', 'severity is block or warn')
  const parsed = RULE_PARAMS[input.kind].safeParse(input.params)
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
    throw new DomainError('VALIDATION', `规则 ${input.code} 的参数不正确：${detail}`, `invalid parameters for ${input.code}: ${detail}`)
  }
  return { code: input.code, kind: input.kind, severity: input.severity, params: parsed.data } as Policy
}

/**
 * An active policy stored under older, looser checks (or by hand) that no longer validates, e.g. a
 * category 'Travel'. It is not applied to claims, but listed with the reason so finance can fix or
 * disable it instead of it vanishing.
 */
export interface InvalidPolicy {
  code: string
  kind: string
  severity: string
  /** As stored; absent when the stored text is not JSON. */
  params?: unknown
  invalid: true
  /** Chinese first, English after. */
  reason: string
}

/** Active policies in code order, each parsed, or flagged invalid with why. */
async function readActivePolicies(db: Kysely<Schema>, kind?: Policy['kind']): Promise<(Policy | InvalidPolicy)[]> {
  let query = db.selectFrom('policies').selectAll().where('active', '=', 1)
  if (kind) query = query.where('kind', '=', kind)
  const rows = await query.orderBy('code').execute()
  return rows.map((row) => {
    const stored = { code: row.code, kind: row.kind, severity: row.severity }
    let params: unknown
    try {
      params = JSON.parse(row.params)
    } catch {
      return { ...stored, invalid: true, reason: `规则 ${row.code} 的参数不是有效的 JSON / parameters of ${row.code} are not valid JSON` }
    }
    try {
      return parsePolicy({ ...stored, params })
    } catch (error) {
      if (!isDomainError(error)) throw error
      return { ...stored, params, invalid: true, reason: error.message }
    }
  })
}

/** Invalid rows (as stored) already logged: claims load the policies on every check, and one line per row says enough. */
const reportedInvalid = new Set<string>()
const log = consoleJsonLog()

/** Active policies in code order; a row that no longer validates is left out rather than guessed at. */
export async function loadActivePolicies(db: Kysely<Schema>, kind?: Policy['kind']): Promise<Policy[]> {
  return (await readActivePolicies(db, kind)).flatMap((p) => {
    if (!('invalid' in p)) return [p]
    const key = JSON.stringify(p)
    if (!reportedInvalid.has(key)) {
      reportedInvalid.add(key)
      log(`policy ${p.code} is not applied: ${p.reason}`, { level: 'warn', policy: p.code })
    }
    return []
  })
}

/**
 * Every city an active limit policy lists (category × level × city tier): the names the chat
 * recognises as a claim's city, besides the standard tiers, exactly as the policy spells them.
 */
export async function policyCities(db: Kysely<Schema>): Promise<string[]> {
  const cities = new Set<string>()
  for (const policy of await loadActivePolicies(db, 'category_limit')) {
    for (const city of Object.keys((policy as Policy<'category_limit'>).params.cityTiers)) cities.add(city)
  }
  return [...cities]
}

/** Admin-side policy maintenance: every change is validated and audited. */
export class PolicyStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly now: () => number = Date.now,
  ) {}

  /** What finance maintains: the active policies, including those no longer valid (flagged, with why). */
  list(): Promise<(Policy | InvalidPolicy)[]> {
    return readActivePolicies(this.db)
  }

  async save(input: { code: string; kind: string; severity: string; params: unknown }, actorId: string | null): Promise<Policy> {
    const policy = parsePolicy(input)
    await inTransaction(this.db, async (trx) => {
      const now = this.now()
      const values = { kind: policy.kind, severity: policy.severity, params: JSON.stringify(policy.params), active: 1, updated_at: now }
      const updated = await trx.updateTable('policies').set(values).where('code', '=', policy.code).executeTakeFirst()
      if (Number(updated.numUpdatedRows) === 0) await trx.insertInto('policies').values({ code: policy.code, ...values }).execute()
      await appendAudit(trx, { at: now, actorId, action: 'policy.saved', entityType: 'policy', entityId: policy.code, after: policy })
    })
    return policy
  }

  async disable(code: string, actorId: string | null): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const now = this.now()
      const updated = await trx.updateTable('policies').set({ active: 0, updated_at: now }).where('code', '=', code).executeTakeFirst()
      if (Number(updated.numUpdatedRows) === 0) throw new DomainError('NOT_FOUND', `找不到规则 ${code}`, `policy ${code} not found`)
      await appendAudit(trx, { at: now, actorId, action: 'policy.disabled', entityType: 'policy', entityId: code })
    })
  }
}
