import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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

  it('refuses a tier for unknown cities that no limit covers', async () => {
    expect(await refusal('LODGING_PER_NIGHT', { kind: 'category_limit', severity: 'warn', params: { ...LODGING, defaultTier: 3 } })).toContain('defaultTier: 未知城市按的档位没有对应的标准 / defaultTier has no limit row')
    const saved = await expectJson<{ code: string; params: { defaultTier: number } }[]>(finance.get('/api/admin/policies'))
    expect(saved.find((p) => p.code === 'LODGING_PER_NIGHT')?.params.defaultTier).toBe(2)
  })
})
