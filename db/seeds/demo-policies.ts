import type { Kysely } from 'kysely'
import { STANDARD_CITY_TIERS } from '../../workflow/policy/city-tiers.js'
import type { Schema } from '../schema.js'

/** One list of city tiers: the seeded policy's and the chat's (bot/nlu/rules/places.ts). */
const TIERS = { ...STANDARD_CITY_TIERS }

/**
 * Demo expense policies: one of each rule kind, with numbers a small company might use. Warnings
 * are shown to approvers; blocks stop the claim before submission, each with a fix.
 */
export const DEMO_POLICIES = [
  {
    code: 'LODGING_PER_NIGHT',
    kind: 'category_limit',
    severity: 'warn',
    params: {
      category: 'lodging',
      unit: 'night',
      cityTiers: TIERS,
      defaultTier: 1,
      limits: [
        { cityTier: 1, maxLevel: 3, maxFen: 500_00 },
        { cityTier: 1, minLevel: 4, maxLevel: 5, maxFen: 800_00 },
        { cityTier: 1, minLevel: 6, maxFen: 1_200_00 },
        { cityTier: 2, maxLevel: 3, maxFen: 400_00 },
        { cityTier: 2, minLevel: 4, maxLevel: 5, maxFen: 600_00 },
        { cityTier: 2, minLevel: 6, maxFen: 900_00 },
        { cityTier: 3, maxLevel: 3, maxFen: 300_00 },
        { cityTier: 3, minLevel: 4, maxFen: 450_00 },
      ],
    },
  },
  { code: 'CLAIM_CAP', kind: 'claim_cap', severity: 'block', params: { maxFen: 50_000_00 } },
  { code: 'ENTERTAINMENT_CAP', kind: 'claim_cap', severity: 'warn', params: { category: 'entertainment', maxFen: 3_000_00 } },
  { code: 'COMMUNICATION_MONTHLY', kind: 'monthly_cap', severity: 'block', params: { category: 'communication', maxFen: 300_00 } },
  { code: 'INVOICE_FORMAT', kind: 'invoice_format', severity: 'block', params: {} },
  { code: 'INVOICE_DUPLICATE', kind: 'invoice_duplicate', severity: 'block', params: {} },
  { code: 'RECEIPT_REQUIRED', kind: 'receipt_required', severity: 'warn', params: { aboveFen: 5_000_00 } },
  { code: 'SPLIT_CLAIM', kind: 'split_claim', severity: 'warn', params: { thresholdFen: 5_000_00, nearRatio: 0.8, windowDays: 7, minCount: 2 } },
] as const

/** Adds the demo policies that are missing; never overwrites a policy an admin changed. */
export async function seedDemoPolicies(db: Kysely<Schema>, now: number): Promise<void> {
  for (const p of DEMO_POLICIES) {
    await db.insertInto('policies').orIgnore().values({ code: p.code, kind: p.kind, severity: p.severity, params: JSON.stringify(p.params), active: 1, updated_at: now }).execute()
  }
}
