import type { Kysely } from 'kysely'
import type { ErpConnectionRow, Schema } from '../../db/schema.js'
import { inTransaction } from '../../db/transaction.js'
import { ErpError } from '../erp-adapter.js'
import { adapterKind } from './adapter-kinds.js'
import type { SecretBox } from './secret-box.js'

/** A connection as the admin app shows it: settings without secrets, and which secrets are set. */
export interface ErpConnectionView {
  id: string
  name: string
  adapter: string
  settings: Record<string, unknown>
  secretsSet: string[]
  active: boolean
  lastTest: { at: number; ok: boolean; detail: string } | null
  updatedAt: number
}

export interface ErpConnectionInput {
  /** Absent: a new connection. */
  id?: string
  name: string
  adapter: string
  /** All settings, secrets included; a secret left out or empty keeps the stored one. */
  settings: Record<string, unknown>
}

/**
 * The erp_connections table. Secret settings are split off and sealed with the app's key before
 * they reach the database; at most one connection is active, and none active means the ledger.
 */
export class ErpConnectionStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly box: SecretBox | null,
    private readonly now: () => number = Date.now,
  ) {}

  async list(): Promise<ErpConnectionView[]> {
    const rows = await this.db.selectFrom('erp_connections').selectAll().orderBy('created_at').execute()
    return rows.map(toView)
  }

  async view(id: string): Promise<ErpConnectionView> {
    return toView(await this.row(id))
  }

  async activeId(): Promise<string | null> {
    const row = await this.db.selectFrom('erp_connections').select('id').where('active', '=', 1).executeTakeFirst()
    return row?.id ?? null
  }

  /** Settings with secrets opened, for building the adapter. */
  async fullSettings(id: string): Promise<{ adapter: string; settings: Record<string, unknown> }> {
    const row = await this.row(id)
    return { adapter: row.adapter, settings: { ...plainSettings(row), ...(await this.openSecrets(row)) } }
  }

  /** Merges the input with what is stored (kept secrets), without saving: what `save` would store, for a test call. */
  async merged(input: ErpConnectionInput): Promise<Record<string, unknown>> {
    const stored = input.id ? (await this.fullSettings(input.id)).settings : {}
    const kind = adapterKind(input.adapter)
    const merged = { ...input.settings }
    for (const field of kind.secretFields) {
      if (merged[field] === undefined || merged[field] === '') {
        if (stored[field] === undefined) delete merged[field]
        else merged[field] = stored[field]
      }
    }
    return merged
  }

  async save(input: ErpConnectionInput): Promise<ErpConnectionView> {
    const kind = adapterKind(input.adapter)
    const id = input.id ?? crypto.randomUUID()
    const merged = await this.merged(input)
    const plain: Record<string, unknown> = {}
    const secret: Record<string, unknown> = {}
    for (const [field, value] of Object.entries(merged)) (kind.secretFields.includes(field) ? secret : plain)[field] = value
    const sealed = Object.keys(secret).length ? await this.requireBox().seal(JSON.stringify(secret), id) : null
    const now = this.now()
    // Which secrets are set is not itself secret: kept in the clear so the admin app can say so without opening them.
    const settings = JSON.stringify({ ...plain, [SEALED_NAMES]: Object.keys(secret) })
    const values = { name: input.name.trim() || kind.label, adapter: kind.id, settings, secrets: sealed, updated_at: now }
    if (input.id) {
      const result = await this.db.updateTable('erp_connections').set(values).where('id', '=', id).executeTakeFirst()
      if (Number(result.numUpdatedRows) === 0) throw notFound(id)
    } else {
      await this.db
        .insertInto('erp_connections')
        .values({ id, ...values, active: 0, last_tested_at: null, last_test_ok: null, last_test_detail: null, created_at: now })
        .execute()
    }
    return this.view(id)
  }

  /** Makes this connection the one postings go to (null: back to the built-in ledger). */
  async activate(id: string | null): Promise<void> {
    const now = this.now()
    await inTransaction(this.db, async (trx) => {
      if (id) await trx.selectFrom('erp_connections').select('id').where('id', '=', id).executeTakeFirstOrThrow(() => notFound(id))
      await trx.updateTable('erp_connections').set({ active: 0, updated_at: now }).where('active', '=', 1).execute()
      if (id) await trx.updateTable('erp_connections').set({ active: 1, updated_at: now }).where('id', '=', id).execute()
    })
  }

  async remove(id: string): Promise<void> {
    const row = await this.row(id)
    if (Number(row.active) === 1) throw new ErpError('permanent', '不能删除正在使用的 ERP 连接，请先切换到其他连接。The active connection cannot be deleted.')
    await this.db.deleteFrom('erp_connections').where('id', '=', id).execute()
  }

  /** Remembers the last test's result without touching updated_at (which would rebuild the adapter). */
  async recordTest(id: string, ok: boolean, detail: string): Promise<void> {
    await this.db.updateTable('erp_connections').set({ last_tested_at: this.now(), last_test_ok: ok ? 1 : 0, last_test_detail: detail }).where('id', '=', id).execute()
  }

  private async row(id: string): Promise<ErpConnectionRow> {
    const row = await this.db.selectFrom('erp_connections').selectAll().where('id', '=', id).executeTakeFirst()
    if (!row) throw notFound(id)
    return row
  }

  private async openSecrets(row: ErpConnectionRow): Promise<Record<string, unknown>> {
    if (!row.secrets) return {}
    return parseObject(await this.requireBox().open(row.secrets, row.id))
  }

  private requireBox(): SecretBox {
    if (!this.box) throw new ErpError('permanent', '未配置 APP_SECRET_KEY，无法保存或读取 ERP 密码。APP_SECRET_KEY is needed to store ERP secrets.')
    return this.box
  }
}

function toView(row: ErpConnectionRow): ErpConnectionView {
  return {
    id: row.id,
    name: row.name,
    adapter: row.adapter,
    settings: plainSettings(row),
    secretsSet: row.secrets ? sealedNames(row) : [],
    active: Number(row.active) === 1,
    lastTest: row.last_tested_at === null ? null : { at: Number(row.last_tested_at), ok: Number(row.last_test_ok) === 1, detail: row.last_test_detail ?? '' },
    updatedAt: Number(row.updated_at),
  }
}

const SEALED_NAMES = '$sealed'

function plainSettings(row: ErpConnectionRow): Record<string, unknown> {
  const { [SEALED_NAMES]: _names, ...settings } = parseObject(row.settings)
  return settings
}

function sealedNames(row: ErpConnectionRow): string[] {
  const names = parseObject(row.settings)[SEALED_NAMES]
  return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : []
}

function parseObject(json: string): Record<string, unknown> {
  const value: unknown = JSON.parse(json)
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

function notFound(id: string): ErpError {
  return new ErpError('permanent', `找不到该 ERP 连接（${id}）。No such ERP connection.`)
}
