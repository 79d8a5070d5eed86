import type { Kysely } from 'kysely'
import { z } from 'zod'
import type { Schema } from '../../db/schema.js'
import { LedgerAdapter } from '../adapters/ledger/ledger-adapter.js'
import { TrytonAdapter } from '../adapters/tryton/tryton-adapter.js'
import { trytonConfigSchema } from '../adapters/tryton/tryton-config.js'
import { WebhookAdapter } from '../adapters/webhook/webhook-adapter.js'
import { webhookConfigSchema } from '../adapters/webhook/webhook-config.js'
import { ErpError } from '../erp-adapter.js'
import type { ErpTarget } from '../erp-target.js'
import type { MappingKind } from '../mapping/mapping-kinds.js'
import type { MappingStore } from '../mapping/mapping-store.js'

export interface AdapterDeps {
  db: Kysely<Schema>
  mappings: MappingStore
}

/** One kind of ERP an admin can connect: its settings, which of them are secret, how to build it. */
export interface AdapterKind {
  id: string
  label: string
  /** Sealed at rest and never sent back to the browser. */
  secretFields: readonly string[]
  /** Mapping kinds the adapter is built from, so it is rebuilt when they change. */
  readsMappings: readonly MappingKind[]
  /** Checks the settings (secrets included) and builds the adapter with its mapping policy. */
  create(settings: Record<string, unknown>, deps: AdapterDeps): Promise<ErpTarget>
}

/** Tryton's accounts per expense category are the expense-category mapping table, not a second list in the settings. */
const trytonSettingsSchema = trytonConfigSchema.omit({ expenseAccounts: true })

export const ADAPTER_KINDS: Record<string, AdapterKind> = {
  ledger: {
    id: 'ledger',
    label: '内置账簿 Built-in ledger',
    secretFields: [],
    readsMappings: [],
    async create(_settings, { db }) {
      const adapter = new LedgerAdapter(db)
      return { adapter, policy: adapter.mappingPolicy }
    },
  },
  tryton: {
    id: 'tryton',
    label: 'Tryton',
    secretFields: ['password'],
    readsMappings: ['expense_category'],
    async create(settings, { mappings }) {
      const config = parseSettings(trytonSettingsSchema, settings)
      const expenseAccounts = Object.fromEntries((await mappings.list('expense_category')).map((m) => [m.localKey, m.erpCode]))
      return {
        adapter: new TrytonAdapter({ ...config, expenseAccounts }),
        // Tryton finds employees by a unique name when unmapped, and has no cost centres to map.
        policy: { required: { 'expense.voucher': ['expense_category'] }, masterCodes: ['department'] },
      }
    },
  },
  webhook: {
    id: 'webhook',
    label: '通用 Webhook（签名）Signed webhook',
    secretFields: ['secret'],
    readsMappings: [],
    async create(settings) {
      const adapter = new WebhookAdapter(parseSettings(webhookConfigSchema, settings))
      return { adapter, policy: adapter.mappingPolicy }
    },
  },
}

export function adapterKind(id: string): AdapterKind {
  const kind = ADAPTER_KINDS[id]
  if (!kind) throw new ErpError('permanent', `不支持的 ERP 类型：${id}（可选：${Object.keys(ADAPTER_KINDS).join('、')}）。Unknown ERP adapter.`)
  return kind
}

/** Settings that do not validate are a configuration problem: no retry helps, an admin must fix them. */
function parseSettings<T extends z.ZodType>(schema: T, settings: Record<string, unknown>): z.infer<T> {
  const parsed = schema.safeParse(settings)
  if (parsed.success) return parsed.data
  throw new ErpError('permanent', `ERP 连接设置有误：${describeIssues(parsed.error)}。Invalid ERP connection settings.`)
}

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '设置'}：${issue.message}`).join('；')
}
