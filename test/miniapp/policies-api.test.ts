import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { DEMO_POLICIES } from '../../db/seeds/demo-policies.js'
import { parsePolicy } from '../../workflow/policy/policy-store.js'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'
import { AdminClient, expectJson } from './admin-client.js'

/**
 * Policies that could never trigger are refused when finance saves them: a category that is not
 * one of the claim category codes, a level range upside down, an unknown-city tier with no limit.
 */

const LODGING = {
  category: 'lodging',
  unit: 'night',
  cityTiers: { 上海: 1, 杭州: 2 },
  defaultTier: 2,
  limits: [
    { cityTier: 1, maxLevel: 3, maxFen: 500_00 },
    { cityTier: 2, maxLevel: 3, maxFen: 400_00 },
  ],
}

describe('seeded policies', () => {
  it('all still parse', () => {
    for (const p of DEMO_POLICIES) expect(parsePolicy({ ...p, params: structuredClone(p.params) }).code).toBe(p.code)
  })
})

describe.each(DB_KINDS)('policies API on %s', (kind) => {
  let sys: TestSystem
  let finance: AdminClient

  beforeAll(async () => {
    sys = await TestSystem.start(kind)
    finance = await AdminClient.signIn(sys.app, 'sunba')
  })
  afterAll(async () => sys?.close())

  const put = (code: string, body: unknown) => finance.request(`/api/admin/policies/${code}`, { method: 'PUT', body })
  const refusal = async (code: string, body: unknown) => (await expectJson<{ code: string; message: string }>(put(code, body), 400)).message

  it('the seeded policies are all active', async () => {
    const listed = await expectJson<{ code: string }[]>(finance.get('/api/admin/policies'))
    expect(listed.map((p) => p.code).sort()).toEqual(DEMO_POLICIES.map((p) => p.code).sort())
  })

  it('refuses a category that is not a claim category code', async () => {
    expect(await refusal('TRAVEL_CAP', { kind: 'claim_cap', severity: 'warn', params: { category: 'Travel', maxFen: 3_000_00 } })).toMatch(/^规则 TRAVEL_CAP 的参数不正确：category: /)
    expect(await refusal('MEALS_MONTHLY', { kind: 'monthly_cap', severity: 'warn', params: { category: '餐费', maxFen: 3_000_00 } })).toContain('category')
    expect(await refusal('HOTEL', { kind: 'category_limit', severity: 'warn', params: { ...LODGING, category: 'hotel' } })).toContain('category')
    await expectJson(put('TRAVEL_CAP', { kind: 'claim_cap', severity: 'warn', params: { category: 'travel', maxFen: 3_000_00 } }))
  })

  it('refuses a limit whose minimum level is above its maximum', async () => {
    const params = { ...LODGING, limits: [...LODGING.limits, { cityTier: 1, minLevel: 5, maxLevel: 1, maxFen: 800_00 }] }
    expect(await refusal('LODGING_PER_NIGHT', { kind: 'category_limit', severity: 'warn', params })).toContain('limits.2: 最低职级不能高于最高职级 / minLevel must not exceed maxLevel')
    await expectJson(put('LODGING_PER_NIGHT', { kind: 'category_limit', severity: 'warn', params: { ...LODGING, limits: [...LODGING.limits, { cityTier: 1, minLevel: 4, maxLevel: 4, maxFen: 800_00 }] } }))
  })

  it('lists a stored policy that no longer validates as invalid, with why, to fix or disable; claims skip it, and the log says so once', async () => {
    // Saved before categories and level ranges were checked; the codes differ per database, as the log remembers rows per process.
    const travel = `OLD_TRAVEL_CAP_${kind.toUpperCase()}`
    const lodging = `OLD_LODGING_${kind.toUpperCase()}`
    const upsideDown = { ...LODGING, limits: [...LODGING.limits, { cityTier: 1, minLevel: 5, maxLevel: 1, maxFen: 800_00 }] }
    await sys.database.db
      .insertInto('policies')
      .values([
        { code: travel, kind: 'claim_cap', severity: 'block', params: JSON.stringify({ category: 'Travel', maxFen: 100 }), active: 1, updated_at: Date.now() },
        { code: lodging, kind: 'category_limit', severity: 'warn', params: JSON.stringify(upsideDown), active: 1, updated_at: Date.now() },
      ])
      .execute()

    type Listed = { code: string; kind: string; params: unknown; invalid?: true; reason?: string }
    const listed = async () => Object.fromEntries((await expectJson<Listed[]>(finance.get('/api/admin/policies'))).map((p) => [p.code, p]))
    const all = await listed()
    expect(all[travel]).toEqual({ code: travel, kind: 'claim_cap', severity: 'block', params: { category: 'Travel', maxFen: 100 }, invalid: true, reason: expect.stringMatching(new RegExp(`^规则 ${travel} 的参数不正确：category: .* / invalid parameters for ${travel}: category: `)) })
    expect(all[lodging]).toMatchObject({ params: upsideDown, invalid: true, reason: expect.stringContaining('limits.2: 最低职级不能高于最高职级 / minLevel must not exceed maxLevel') })
    expect(all.CLAIM_CAP).not.toHaveProperty('invalid')

    const page = await (await finance.get('/miniapp/policies')).text()
    const item = new RegExp(`<li data-policy="${travel}" data-invalid>[\\s\\S]*?</li>`).exec(page)?.[0]
    expect(item).toContain(`未生效，请修改或停用：规则 ${travel} 的参数不正确：category: `)
    expect(item).toContain('无效 invalid')
    expect(item).toContain(`data-post="/api/admin/policies/${travel}" data-method="PUT"`)
    expect(item).toContain(`data-call="/api/admin/policies/${travel}" data-method="DELETE"`)

    // Not applied: a ¥100 block would stop every travel claim. Two claims, one log line.
    const logged = vi.spyOn(console, 'log')
    try {
      for (const text of ['提交本月差旅费 3500元', '提交上月差旅费 1200元']) expect((await sys.request(await sys.submitExpense('zhangsan', text))).status).toBe('pending')
      expect(logged.mock.calls.map(([line]) => String(line)).filter((line) => line.includes(travel))).toEqual([expect.stringMatching(new RegExp(`"level":"warn".*"msg":"policy ${travel} is not applied: 规则 ${travel} 的参数不正确`))])
    } finally {
      logged.mockRestore()
    }

    await expectJson(put(travel, { kind: 'claim_cap', severity: 'block', params: { category: 'travel', maxFen: 50_000_00 } }))
    await expectJson(finance.request(`/api/admin/policies/${lodging}`, { method: 'DELETE' }))
    const after = await listed()
    expect(after[travel]).toEqual({ code: travel, kind: 'claim_cap', severity: 'block', params: { category: 'travel', maxFen: 50_000_00 } })
    expect(after).not.toHaveProperty(lodging)
  })

  it('refuses a tier for unknown cities that no limit covers', async () => {
    expect(await refusal('LODGING_PER_NIGHT', { kind: 'category_limit', severity: 'warn', params: { ...LODGING, defaultTier: 3 } })).toContain('defaultTier: 未知城市按的档位没有对应的标准 / defaultTier has no limit row')
    const saved = await expectJson<{ code: string; params: { defaultTier: number } }[]>(finance.get('/api/admin/policies'))
    expect(saved.find((p) => p.code === 'LODGING_PER_NIGHT')?.params.defaultTier).toBe(2)
  })
})
