import { describe, expect, it } from 'vitest'
import { categoryLabel, checkClaimAmount, checkQuantityAndBudget, fenToAmount, fenToDecimal, positiveAmount, requireCode, unitPriceYuan } from '../../erp-bridge/adapters/document-values.js'
import { ODD_ORDERS, sampleExpense, samplePurchase } from './sample-actions.js'

/** What every adapter writes into its documents; the adapters' own tests show it on the wire. */

describe('amounts', () => {
  it('writes fen as yuan, exact to the cent, and refuses fractions of a fen', () => {
    expect(fenToAmount(350_050)).toBe(3500.5)
    expect(fenToAmount(1)).toBe(0.01)
    expect(() => fenToAmount(0.5)).toThrow(TypeError)
    expect(fenToDecimal(12_850)).toBe('128.50')
    expect(fenToDecimal(7)).toBe('0.07')
    expect(fenToDecimal(-12_805)).toBe('-128.05')
    expect(() => fenToDecimal(1.5)).toThrow(TypeError)
  })

  it('refuses zero and negative amounts as permanent, saying so in Chinese first', () => {
    expect(positiveAmount(12_850)).toBe(128.5)
    for (const fen of [0, -100, 1.5]) expect(() => positiveAmount(fen)).toThrow(expect.objectContaining({ kind: 'permanent', userMessage: expect.stringMatching(/^金额必须大于零/) }))
    expect(() => checkClaimAmount(sampleExpense())).not.toThrow()
    for (const amountFen of [0, -1, 0.5]) {
      expect(() => checkClaimAmount(sampleExpense({ amountFen }))).toThrow(expect.objectContaining({ kind: 'permanent', userMessage: expect.stringMatching(/^报销金额必须大于零/) }))
    }
  })

  it('prices a unit to 6 decimals, so that quantity × price is the budget to the fen even for many cheap units', () => {
    expect(unitPriceYuan(3_000, 10_000)).toBe(0.003)
    expect(unitPriceYuan(10_000, 3)).toBe(33.333333)
    expect(unitPriceYuan(100_000, 7)).toBe(142.857143)
    for (const { quantity, budgetFen } of ODD_ORDERS) expect(Math.round(unitPriceYuan(budgetFen, quantity) * quantity * 100)).toBe(budgetFen)
  })

  it('refuses a purchase without a quantity or with a broken budget, and lets a free one through', () => {
    expect(() => checkQuantityAndBudget(samplePurchase())).not.toThrow()
    expect(() => checkQuantityAndBudget(samplePurchase({ budgetFen: 0 }))).not.toThrow()
    for (const overrides of [{ quantity: 0 }, { quantity: Number.NaN }, { budgetFen: -1 }, { budgetFen: 10.5 }]) {
      expect(() => checkQuantityAndBudget(samplePurchase(overrides))).toThrow(expect.objectContaining({ kind: 'permanent', userMessage: expect.stringMatching(/^采购数量必须大于零、预算不能为负/) }))
    }
  })
})

describe('names and codes', () => {
  it('names a known category in Chinese and keeps an unknown one as it is', () => {
    expect(categoryLabel('travel')).toBe('差旅费')
    expect(categoryLabel('team-building')).toBe('team-building')
  })

  it('passes a mapped code through and says what is unmapped otherwise', () => {
    expect(requireCode('E001', '员工 张三 → 金蝶员工编码', 'no staff number')).toBe('E001')
    for (const code of [undefined, '']) {
      expect(() => requireCode(code, '员工 张三 → 金蝶员工编码', 'no staff number')).toThrow(expect.objectContaining({ kind: 'permanent', userMessage: '未配置映射：员工 张三 → 金蝶员工编码（no staff number）' }))
    }
  })
})
