import type { Kysely } from 'kysely'
import { z } from 'zod'
import type { Schema } from '../../../db/schema.js'
import { inTransaction } from '../../../db/transaction.js'
import { appendAudit } from '../../audit.js'
import { DomainError } from '../../errors.js'
import { holidayYearSchema } from '../anomalies/china-calendar.js'

const taxId = z
  .string()
  .transform((s) => s.replace(/\s+/g, '').toUpperCase())
  .pipe(z.string().regex(/^[0-9A-Z]{15,20}$/, '税号应为 15–20 位数字或大写字母（统一社会信用代码为 18 位）'))

/**
 * The settings an admin changes while the system runs. company: who we are on an invoice (the
 * buyer every claim's invoice must name); pilot: the departments the bot serves during a 试点, and
 * where everyone else should go meanwhile; holidays: years of public holidays and 调休 workdays that
 * replace or extend the built-in calendar.
 */
export const SETTINGS = {
  company: {
    schema: z.object({ name: z.string().trim().max(100).nullable(), taxIds: z.array(taxId).max(20) }),
    fallback: { name: null, taxIds: [] },
  },
  pilot: {
    schema: z.object({
      enabled: z.boolean(),
      departmentIds: z.array(z.string().min(1).max(64)).max(500),
      elsewhere: z.string().trim().min(1).max(300),
    }),
    fallback: { enabled: false, departmentIds: [], elsewhere: '请继续通过原有方式（OA 系统或纸质单据）提交申请' },
  },
  holidays: {
    schema: z.object({
      years: z
        .array(holidayYearSchema)
        .max(100)
        .refine((years) => new Set(years.map((y) => y.year)).size === years.length, '每年只能有一份假期安排'),
    }),
    fallback: { years: [] },
  },
} as const

export type SettingName = keyof typeof SETTINGS
export type SettingValue<N extends SettingName> = z.infer<(typeof SETTINGS)[N]['schema']>
export type CompanySettings = SettingValue<'company'>
export type PilotSettings = SettingValue<'pilot'>

/** Stored as JSON rows in app_settings; a row that no longer validates reads as the default. */
export class AppSettings {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly now: () => number = Date.now,
  ) {}

  async read<N extends SettingName>(name: N): Promise<SettingValue<N>> {
    const row = await this.db.selectFrom('app_settings').select('value').where('name', '=', name).executeTakeFirst()
    if (!row) return SETTINGS[name].fallback as SettingValue<N>
    const parsed = SETTINGS[name].schema.safeParse(JSON.parse(row.value))
    return (parsed.success ? parsed.data : SETTINGS[name].fallback) as SettingValue<N>
  }

  async write<N extends SettingName>(name: N, input: unknown, actorId: string | null): Promise<SettingValue<N>> {
    const parsed = SETTINGS[name].schema.safeParse(input)
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join('.') || name}: ${i.message}`).join('; ')
      throw new DomainError('VALIDATION', `设置不正确：${detail}`, `invalid ${name} setting: ${detail}`)
    }
    const value = parsed.data as SettingValue<N>
    await inTransaction(this.db, async (trx) => {
      const now = this.now()
      const before = await trx.selectFrom('app_settings').select('value').where('name', '=', name).executeTakeFirst()
      const values = { value: JSON.stringify(value), updated_at: now, updated_by: actorId }
      if (before) await trx.updateTable('app_settings').set(values).where('name', '=', name).execute()
      else await trx.insertInto('app_settings').values({ name, ...values }).execute()
      await appendAudit(trx, { at: now, actorId, action: 'setting.saved', entityType: 'setting', entityId: name, before: before ? JSON.parse(before.value) : undefined, after: value })
    })
    return value
  }
}
