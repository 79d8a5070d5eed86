import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { ErpError, type ErpAction } from '../erp-adapter.js'
import { describeMissing, MAPPING_KINDS, type MappingRef } from '../mapping/mapping-kinds.js'
import { requiredKinds, type MappingPolicy } from '../mapping/mapping-policy.js'
import { codeKey, MappingStore } from '../mapping/mapping-store.js'
import type { ActionDraft } from './action-draft.js'
import { buildActionDrafts } from './build-action.js'

export interface MappedDraft {
  draft: ActionDraft
  codeOf: (ref: MappingRef) => string | undefined
  /** Required refs that have no ERP code: posting would fail. */
  missing: MappingRef[]
}

/** Looks up the ERP codes of everything the drafts name (one query), and which required ones are missing. */
export async function mapDrafts(mappings: MappingStore, drafts: readonly ActionDraft[], policy: MappingPolicy): Promise<MappedDraft[]> {
  const codes = await mappings.codesOf(drafts.flatMap((d) => d.refs))
  const codeOf = (ref: MappingRef) => codes.get(codeKey(ref)) ?? (policy.masterCodes.includes(ref.kind) ? ref.masterCode || undefined : undefined)
  return drafts.map((draft) => {
    const required = requiredKinds(policy, draft.kind)
    return { draft, codeOf, missing: draft.refs.filter((ref) => required.includes(ref.kind) && !codeOf(ref)) }
  })
}

/** "未配置映射：部门 研发部 → 成本中心；费用类别 差旅费 → 会计科目。" — a permanent failure: posting cannot help until an admin maps it. */
export function missingMappingError(missing: readonly MappingRef[]): ErpError {
  const zh = missing.map(describeMissing).join('；')
  const en = [...new Set(missing.map((ref) => MAPPING_KINDS[ref.kind].en))].join(', ')
  return new ErpError('permanent', `未配置映射：${zh}。请管理员在 ERP 映射中补充后重试。Missing mapping: ${en}.`)
}

/**
 * The actions to post for a batch of approved requests, with every code filled in, or per
 * request the permanent error (missing mapping, unpostable request) that explains why not.
 */
export async function prepareActions(db: Kysely<Schema>, mappings: MappingStore, requestIds: readonly string[], policy: MappingPolicy): Promise<Map<string, ErpAction | ErpError>> {
  const built = await buildActionDrafts(db, requestIds)
  const drafts = [...built].flatMap(([id, draft]) => (draft instanceof ErpError ? [] : [{ id, draft }]))
  const mapped = await mapDrafts(mappings, drafts.map((d) => d.draft), policy)
  const actions = new Map<string, ErpAction | ErpError>()
  for (const [id, draft] of built) if (draft instanceof ErpError) actions.set(id, draft)
  drafts.forEach(({ id }, i) => {
    const { draft, codeOf, missing } = mapped[i]!
    actions.set(id, missing.length ? missingMappingError(missing) : draft.complete(codeOf))
  })
  return actions
}
