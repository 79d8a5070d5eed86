import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { takeNextNumber } from '../../db/counters.js'
import { inTransaction } from '../../db/transaction.js'
import { appendAudit } from '../audit.js'
import { DomainError } from '../errors.js'
import { isRequestType, type RequestType } from '../request-types.js'
import { DEFAULT_TEMPLATES } from './default-templates.js'
import { flowDefinitionSchema, type FlowDefinition } from './flow-definition.js'

export interface FlowTemplate {
  type: RequestType
  version: number
  definition: FlowDefinition
  createdAt: number
  createdBy: string | null
}

/** Parses and checks a definition; the error names what is wrong, in both languages. */
export function parseFlowDefinition(input: unknown): FlowDefinition {
  const result = flowDefinitionSchema.safeParse(input)
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')
    throw new DomainError('VALIDATION', `流程模板不正确：${detail}`, `invalid flow template: ${detail}`)
  }
  return result.data
}

/**
 * Versioned flow templates. Publishing adds a version and never touches an existing one; a request
 * remembers the version it started with and keeps using it, whatever is published later.
 */
export class FlowTemplates {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly now: () => number = Date.now,
  ) {}

  async publish(type: string, input: unknown, actorId: string | null): Promise<FlowTemplate> {
    if (!isRequestType(type)) throw new DomainError('VALIDATION', `未知的申请类型：${type}`, `unknown request type: ${type}`)
    const definition = parseFlowDefinition(input)
    return inTransaction(this.db, async (trx) => {
      // The counter row serialises publishers of one type, so versions never collide.
      const version = await takeNextNumber(trx, `flow-template:${type}`)
      const existing = await trx.selectFrom('flow_templates').select((eb) => eb.fn.max('version').as('v')).where('type', '=', type).executeTakeFirst()
      const next = Math.max(version, Number(existing?.v ?? 0) + 1)
      const now = this.now()
      await trx
        .insertInto('flow_templates')
        .values({ id: crypto.randomUUID(), type, version: next, name: definition.name, definition: JSON.stringify(definition), created_at: now, created_by: actorId })
        .execute()
      if (next !== version) await trx.updateTable('counters').set({ value: next }).where('name', '=', `flow-template:${type}`).execute()
      await appendAudit(trx, { at: now, actorId, action: 'template.published', entityType: 'flow_template', entityId: `${type}@${next}`, after: definition })
      return { type, version: next, definition, createdAt: now, createdBy: actorId }
    })
  }

  /** The version new requests of this type start with; publishes the built-in default on first use. */
  async latest(type: RequestType, db: Kysely<Schema> = this.db): Promise<FlowTemplate> {
    const row = await db.selectFrom('flow_templates').selectAll().where('type', '=', type).orderBy('version', 'desc').limit(1).executeTakeFirst()
    if (row) return toTemplate(row)
    await installDefaultTemplate(db, type, this.now())
    return this.latest(type, db)
  }

  async version(type: RequestType, version: number, db: Kysely<Schema> = this.db): Promise<FlowTemplate> {
    const row = await db.selectFrom('flow_templates').selectAll().where('type', '=', type).where('version', '=', version).executeTakeFirst()
    if (!row) throw new DomainError('NOT_FOUND', `找不到流程模板 ${type} 第${version}版`, `flow template ${type}@${version} not found`)
    return toTemplate(row)
  }

  async history(type: RequestType): Promise<FlowTemplate[]> {
    const rows = await this.db.selectFrom('flow_templates').selectAll().where('type', '=', type).orderBy('version').execute()
    return rows.map(toTemplate)
  }
}

/** Version 1 from the built-in defaults; a no-op when any version exists (safe to race). */
export async function installDefaultTemplate(db: Kysely<Schema>, type: RequestType, now: number): Promise<void> {
  const definition = DEFAULT_TEMPLATES[type]
  await db
    .insertInto('flow_templates')
    .orIgnore()
    .values({ id: `default-${type}`, type, version: 1, name: definition.name, definition: JSON.stringify(definition), created_at: now, created_by: null })
    .execute()
}

function toTemplate(row: { type: string; version: number; definition: string; created_at: number; created_by: string | null }): FlowTemplate {
  return {
    type: row.type as RequestType,
    version: Number(row.version),
    definition: JSON.parse(row.definition) as FlowDefinition,
    createdAt: Number(row.created_at),
    createdBy: row.created_by,
  }
}
