import { z } from 'zod'
import { MAPPING_KIND_LIST, type MappingKind } from '../../mapping/mapping-kinds.js'
import type { MappingPolicy } from '../../mapping/mapping-policy.js'

const mappingKinds = z.array(z.enum(MAPPING_KIND_LIST as [MappingKind, ...MappingKind[]]))

/** Settings of a signed webhook: where to POST, the shared signing secret, what must be mapped first. */
export const webhookConfigSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'Webhook 地址必须是 http(s) 网址 / url must be http(s)' }),
  /** HMAC-SHA256 key shared with the receiver. */
  secret: z.string().min(16, '签名密钥至少 16 个字符 / the signing secret needs at least 16 characters'),
  timeoutMs: z.number().int().positive().max(120_000).default(10_000),
  /** Override of the mappings each action needs before it is sent. */
  requiredMappings: z
    .object({
      'expense.voucher': mappingKinds.optional(),
      'purchase.requisition': mappingKinds.optional(),
      'hr.change': mappingKinds.optional(),
      'project.create': mappingKinds.optional(),
    })
    .optional(),
  /** The receiving system knows employees by our 工号, so no employee mapping is needed. */
  employeeNoIsErpCode: z.boolean().default(false),
})

export type WebhookConfig = z.infer<typeof webhookConfigSchema>
export type WebhookConfigInput = z.input<typeof webhookConfigSchema>

/** An ERP we do not know: ask for every code it is likely to need, unless the admin says otherwise. */
export const WEBHOOK_DEFAULT_REQUIRED: MappingPolicy['required'] = {
  'expense.voucher': ['employee', 'department', 'expense_category'],
  'purchase.requisition': ['employee', 'department', 'purchase_item'],
  'hr.change': ['employee', 'department'],
  'project.create': ['employee'],
}

export function webhookPolicy(config: WebhookConfig): MappingPolicy {
  return {
    required: { ...WEBHOOK_DEFAULT_REQUIRED, ...config.requiredMappings },
    masterCodes: config.employeeNoIsErpCode ? ['department', 'employee'] : ['department'],
  }
}
