import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { takeNextNumber } from '../../db/counters.js'
import { inTransaction } from '../../db/transaction.js'
import { appendAudit } from '../audit.js'
import { DomainError } from '../errors.js'
import { OrgDirectory } from '../org.js'
import { EXPENSE_CATEGORY_LABELS, isRequestType, type RequestType } from '../request-types.js'
import { DEFAULT_TEMPLATES } from './default-templates.js'
import { flowDefinitionSchema, type ApproverSource, type Condition, type FlowDefinition, type FlowNode } from './flow-definition.js'

export interface FlowTemplate {
  type: RequestType
  version: number
  definition: FlowDefinition
  createdAt: number
  createdBy: string | null
}

/** Parses and checks a definition; the error names what is wrong, in both languages. */
function parseFlowDefinition(input: unknown): FlowDefinition {
  const result = flowDefinitionSchema.safeParse(input)
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')
    throw new DomainError('VALIDATION', `流程模板不正确：${detail}`, `invalid flow template: ${detail}`)
  }
  return result.data
}

/**
 * Parses a definition and checks that every person, role, department and expense category it names
 * exists: routing leaves out whom it cannot find, so a typo would otherwise turn a step into nobody
 * (auto-passed, or sent to the admins), or a branch into one never taken, without anyone noticing.
 */
export async function checkFlowDefinition(input: unknown, org: OrgDirectory): Promise<FlowDefinition> {
  const definition = parseFlowDefinition(input)
  const [employees, departments] = await Promise.all([org.employees(), org.departments()])
  const known = {
    people: new Set(employees.map((e) => e.id)),
    roles: new Set(employees.flatMap((e) => e.roles)),
    departments: new Set(departments.map((d) => d.id)),
  }
  const problems = unknownReferences(definition.nodes, known)
  if (problems.length > 0) {
    throw new DomainError('VALIDATION', `流程模板引用了不存在的对象：${problems.map((p) => p.zh).join('；')}`, `flow template names what does not exist: ${problems.map((p) => p.en).join('; ')}`)
  }
  return definition
}

interface KnownOrg {
  /** Active employees only: a step on someone who left would be handed over on every request. */
  people: ReadonlySet<string>
  /** Roles some active employee holds. */
  roles: ReadonlySet<string>
  departments: ReadonlySet<string>
}

type Problem = { zh: string; en: string }

function unknownReferences(nodes: readonly FlowNode[], known: KnownOrg): Problem[] {
  return nodes.flatMap((node): Problem[] => {
    switch (node.kind) {
      case 'end':
        return []
      case 'approver':
      case 'cc':
        return node.sources.flatMap((source) => sourceProblems(source, known)).map((p) => ({ zh: `节点「${node.name}」：${p.zh}`, en: `node "${node.name}": ${p.en}` }))
      case 'condition': {
        const label = node.name ?? node.id
        const branches = node.branches.flatMap((branch) => [
          ...conditionProblems(branch.when, known).map((p) => ({ zh: `条件「${label}」分支「${branch.name}」：${p.zh}`, en: `condition "${label}" branch "${branch.name}": ${p.en}` })),
          ...unknownReferences(branch.nodes, known),
        ])
        return [...branches, ...unknownReferences(node.else.nodes, known)]
      }
    }
  })
}

function sourceProblems(source: ApproverSource, known: KnownOrg): Problem[] {
  const role = source.kind === 'role' ? source.role : source.kind === 'supervisorChain' ? source.upToRole : undefined
  const people = source.kind === 'users' ? source.userIds.filter((id) => !known.people.has(id)) : []
  return [
    ...people.map((id) => ({ zh: `成员不存在或已停用 ${id}`, en: `unknown or inactive user ${id}` })),
    ...(role !== undefined && !known.roles.has(role) ? [{ zh: `没有在职员工担任角色 ${role}`, en: `no active employee holds role ${role}` }] : []),
  ]
}

/** Values a condition compares with that no request can have: a department that does not exist, a category that is no expense category code. */
function conditionProblems(condition: Condition, known: KnownOrg): Problem[] {
  if ('all' in condition) return condition.all.flatMap((c) => conditionProblems(c, known))
  if ('any' in condition) return condition.any.flatMap((c) => conditionProblems(c, known))
  const picked = (Array.isArray(condition.value) ? condition.value : [condition.value]).map(String)
  if (condition.field === 'department') return picked.filter((id) => !known.departments.has(id)).map((id) => ({ zh: `部门不存在 ${id}`, en: `unknown department ${id}` }))
  if (condition.field === 'category') return picked.filter((code) => !Object.hasOwn(EXPENSE_CATEGORY_LABELS, code)).map((code) => ({ zh: `费用类别不存在 ${code}`, en: `unknown expense category ${code}` }))
  return []
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

  /**
   * `baseVersion` is the latest version the editor started from: when someone published since, the
   * draft would silently undo their change, so it is refused. Without it (scripts, older clients)
   * the draft is published over whatever is there.
   */
  async publish(type: string, input: unknown, actorId: string | null, options: { baseVersion?: number } = {}): Promise<FlowTemplate> {
    if (!isRequestType(type)) throw new DomainError('VALIDATION', `未知的申请类型：${type}`, `unknown request type: ${type}`)
    const definition = await checkFlowDefinition(input, new OrgDirectory(this.db))
    return inTransaction(this.db, async (trx) => {
      // The counter row serialises publishers of one type, so versions never collide.
      const version = await takeNextNumber(trx, `flow-template:${type}`)
      const existing = await trx.selectFrom('flow_templates').select((eb) => eb.fn.max('version').as('v')).where('type', '=', type).executeTakeFirst()
      const latest = Number(existing?.v ?? 0)
      if (options.baseVersion !== undefined && options.baseVersion !== latest) {
        throw new DomainError('INVALID_STATE', `该流程已被他人更新（第 ${latest} 版），请刷新后再发布`, `this flow was updated by someone else (v${latest}); reload it before publishing`)
      }
      const next = Math.max(version, latest + 1)
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
