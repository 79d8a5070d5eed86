import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { ErpError, type ErpAction } from '../erp-adapter.js'
import { describeMissing, MAPPING_KINDS, type MappingRef } from '../mapping/mapping-kinds.js'
import { requiredKinds, type MappingPolicy } from '../mapping/mapping-policy.js'
import { codeKey, MappingStore } from '../mapping/mapping-store.js'
import type { ActionDraft } from './action-draft.js'
import { buildActionDraft } from './build-action.js'

export interface MappedDraft {
  draft: ActionDraft
  codeOf: (ref: MappingRef) => string | undefined
  /** Required refs that have no ERP code: posting would fail. */
  missing: MappingRef[]
}

/** Looks up the ERP codes of everything a draft names, and which required ones are missing. */
export async function mapDraft(mappings: MappingStore, draft: ActionDraft, policy: MappingPolicy): Promise<MappedDraft> {
  const codes = await mappings.codesOf(draft.refs)
  const codeOf = (ref: MappingRef) => codes.get(codeKey(ref)) ?? (policy.masterCodes.includes(ref.kind) ? ref.masterCode || undefined : undefined)
  const required = requiredKinds(policy, draft.kind)
  const missing = draft.refs.filter((ref) => required.includes(ref.kind) && !codeOf(ref))
  return { draft, codeOf, missing }
}

/** "未配置映射：部门 研发部 → 成本中心；费用类别 差旅费 → 会计科目。" — a permanent failure: posting cannot help until an admin maps it. */
export function missingMappingError(missing: readonly MappingRef[]): ErpError {
  const zh = missing.map(describeMissing).join('；')
  const en = [...new Set(missing.map((ref) => MAPPING_KINDS[ref.kind].en))].join(', ')
  return new ErpError('permanent', `未配置映射：${zh}。请管理员在 ERP 映射中补充后重试。Missing mapping: ${en}.`)
}

/** The action to post for an approved request, with every code filled in, or a missing-mapping failure. */
export async function prepareAction(db: Kysely<Schema>, mappings: MappingStore, requestId: string, policy: MappingPolicy): Promise<ErpAction> {
  const mapped = await mapDraft(mappings, await buildActionDraft(db, requestId), policy)
  if (mapped.missing.length > 0) throw missingMappingError(mapped.missing)
  return mapped.draft.complete(mapped.codeOf)
}
