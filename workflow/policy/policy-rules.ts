import { z } from 'zod'
import { EXPENSE_CATEGORY_LABELS, type ExpenseCategoryCode } from '../request-types.js'

/** One finding of one rule: what the bot cites to the requester and shows the approvers. */
export interface PolicyFinding {
  code: string
  severity: 'block' | 'warn'
  /** The human sentence: what is wrong, with the numbers. */
  message: string
  /** How to fix it. */
  fix: string
}

/** A claim's category is one of these codes, so any other word would never match a claim; the message names them for the admin. */
const CATEGORY_CODES = Object.keys(EXPENSE_CATEGORY_LABELS) as [ExpenseCategoryCode, ...ExpenseCategoryCode[]]
const categoryCode = z.enum(CATEGORY_CODES, {
  error: `费用类别应为 ${CATEGORY_CODES.join('、')} 之一 / category must be one of ${CATEGORY_CODES.join(', ')}`,
})
const category = categoryCode.optional()
const fen = z.number().int().positive()

/** The rule kinds and their parameters; a policy row is one kind with its parameters and severity. */
export const RULE_PARAMS = {
  /** Standard per night/day/claim by category × employee level × city tier. */
  category_limit: z
    .object({
      category: categoryCode,
      unit: z.enum(['night', 'day', 'claim']),
      limits: z
        .array(
          z
            .object({ cityTier: z.number().int().min(1).max(5), minLevel: z.number().int().optional(), maxLevel: z.number().int().optional(), maxFen: fen })
            .refine((l) => l.minLevel === undefined || l.maxLevel === undefined || l.minLevel <= l.maxLevel, '最低职级不能高于最高职级 / minLevel must not exceed maxLevel'),
        )
        .min(1),
      cityTiers: z.record(z.string(), z.number().int().min(1).max(5)),
      /** Tier assumed when the claim names no known city: the most lenient, so nobody is blocked by a guess. */
      defaultTier: z.number().int().min(1).max(5),
    })
    // A claim from an unlisted city finds no limit row otherwise, and the standard silently never applies to it.
    .refine((p) => p.limits.some((l) => l.cityTier === p.defaultTier), { message: '未知城市按的档位没有对应的标准 / defaultTier has no limit row', path: ['defaultTier'] }),
  claim_cap: z.object({ category, maxFen: fen }),
  monthly_cap: z.object({ category, maxFen: fen }),
  invoice_format: z.object({}),
  invoice_duplicate: z.object({}),
  receipt_required: z.object({ category, aboveFen: fen }),
  split_claim: z.object({
    category,
    thresholdFen: fen,
    /** "Just under": at least this share of the threshold. */
    nearRatio: z.number().gt(0).lt(1),
    windowDays: z.number().int().positive().max(366),
    minCount: z.number().int().min(2),
  }),
} as const
export type RuleKind = keyof typeof RULE_PARAMS
export type RuleParams<K extends RuleKind> = z.infer<(typeof RULE_PARAMS)[K]>

export interface Policy<K extends RuleKind = RuleKind> {
  code: string
  kind: K
  severity: 'block' | 'warn'
  params: RuleParams<K>
}
