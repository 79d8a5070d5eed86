import type { Kysely } from 'kysely'
import { z } from 'zod'
import type { Schema } from '../../db/schema.js'
import { ErpNextAdapter } from '../adapters/erpnext/erpnext-adapter.js'
import { erpnextConfigSchema } from '../adapters/erpnext/erpnext-config.js'
import { KingdeeAdapter } from '../adapters/kingdee/kingdee-adapter.js'
import { kingdeeConfigSchema } from '../adapters/kingdee/kingdee-config.js'
import { LedgerAdapter } from '../adapters/ledger/ledger-adapter.js'
import { OdooAdapter } from '../adapters/odoo/odoo-adapter.js'
import { odooConfigSchema } from '../adapters/odoo/odoo-config.js'
import { SapAdapter } from '../adapters/sap/sap-adapter.js'
import { sapConfigSchema } from '../adapters/sap/sap-config.js'
import { TrytonAdapter } from '../adapters/tryton/tryton-adapter.js'
import { trytonConfigSchema } from '../adapters/tryton/tryton-config.js'
import { WebhookAdapter } from '../adapters/webhook/webhook-adapter.js'
import { webhookConfigSchema } from '../adapters/webhook/webhook-config.js'
import { YonyouAdapter } from '../adapters/yonyou/yonyou-adapter.js'
import { yonyouConfigSchema } from '../adapters/yonyou/yonyou-config.js'
import { ErpError, type ErpAdapter } from '../erp-adapter.js'
import { LENIENT_POLICY, type ErpTarget } from '../erp-target.js'
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
  /** What its settings look like, for the admin app's form: the adapter's own, then every connection's. */
  settingsSchemas: readonly z.ZodType[]
  /** Checks the settings (secrets included) and builds the adapter with its mapping policy. */
  create(settings: Record<string, unknown>, deps: AdapterDeps): Promise<ErpTarget>
}

/** Settings every connection has besides its adapter's own. */
const connectionSettingsSchema = z.object({
  /** Most postings sent to this ERP at once. */
  maxInFlight: z.number().int().min(1).max(500).optional(),
})

/** Tryton's accounts per expense category are the expense-category mapping table, not a second list in the settings. */
const trytonSettingsSchema = trytonConfigSchema.omit({ expenseAccounts: true })

/**
 * An ERP reached over the network with its own settings schema: what it needs mapped is its own
 * business (the adapter's policy, else only what it is given), and a call that timed out is
 * looked up after twice its timeout.
 */
function networkErp<S extends z.ZodType<{ timeoutMs: number }>>(
  id: string,
  label: string,
  schema: S,
  secretFields: readonly string[],
  build: (config: z.infer<S>) => ErpAdapter,
  defaults: { maxInFlight?: number } = {},
): AdapterKind {
  return {
    id,
    label,
    secretFields,
    readsMappings: [],
    settingsSchemas: [schema, connectionSettingsSchema],
    async create(settings) {
      const config = parseSettings(schema, settings)
      const adapter = build(config)
      const { maxInFlight = defaults.maxInFlight } = parseSettings(connectionSettingsSchema, settings)
      return { adapter, policy: adapter.mappingPolicy ?? LENIENT_POLICY, maxInFlight, reconcileAfterMs: 2 * config.timeoutMs }
    },
  }
}

export const ADAPTER_KINDS: Record<string, AdapterKind> = {
  ledger: {
    id: 'ledger',
    label: '内置账簿 Built-in ledger',
    secretFields: [],
    readsMappings: [],
    settingsSchemas: [],
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
    settingsSchemas: [trytonSettingsSchema, connectionSettingsSchema],
    async create(settings, { mappings }) {
      const config = parseSettings(trytonSettingsSchema, settings)
      const { maxInFlight = 4 } = parseSettings(connectionSettingsSchema, settings)
      const expenseAccounts = Object.fromEntries((await mappings.list('expense_category')).map((m) => [m.localKey, m.erpCode]))
      return {
        adapter: new TrytonAdapter({ ...config, expenseAccounts }),
        // Tryton finds employees by a unique name when unmapped, and has no cost centres to map.
        policy: { required: { 'expense.voucher': ['expense_category'] }, masterCodes: ['department'] },
        // One trytond process answers every call of a posting (search, create, post, read) in turn.
        maxInFlight,
        reconcileAfterMs: 2 * config.timeoutMs,
      }
    },
  },
  kingdee: networkErp('kingdee', '金蝶云·星空 Kingdee K/3 Cloud', kingdeeConfigSchema, ['appSecret'], (config) => new KingdeeAdapter(config)),
  yonyou: networkErp('yonyou', '用友 YonBIP / YonSuite', yonyouConfigSchema, ['appSecret'], (config) => new YonyouAdapter(config)),
  sap: networkErp('sap', 'SAP S/4HANA', sapConfigSchema, ['password', 'clientSecret'], (config) => new SapAdapter(config)),
  odoo: networkErp('odoo', 'Odoo', odooConfigSchema, ['apiKey'], (config) => new OdooAdapter(config)),
  erpnext: networkErp('erpnext', 'ERPNext', erpnextConfigSchema, ['apiKey', 'apiSecret'], (config) => new ErpNextAdapter(config)),
  webhook: networkErp('webhook', '通用 Webhook（签名）Signed webhook', webhookConfigSchema, ['secret'], (config) => new WebhookAdapter(config)),
}

export function adapterKind(id: string): AdapterKind {
  const kind = Object.hasOwn(ADAPTER_KINDS, id) ? ADAPTER_KINDS[id] : undefined
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
