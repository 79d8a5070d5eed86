import { describe, expect, it } from 'vitest'
import type { Intent, Slots } from '../../bot/nlu/command.js'
import { parseWithRules } from '../../bot/nlu/rules/index.js'
import { CORPUS_NOW } from './corpus.js'

const now = new Date(CORPUS_NOW)

describe('out-of-office stand-ins (代理): intents beyond the contract list', () => {
  it.each<[string, Intent, Slots]>([
    ['12月1日到5日我休假，审批让李四代理', 'delegation.set', { period: { from: '2026-12-01', to: '2026-12-05' } }],
    ['设置代理 李四 下周一到下周五', 'delegation.set', { period: { from: '2026-11-30', to: '2026-12-04' } }],
    ['明天请假，李四帮我审批', 'delegation.set', { date: '2026-11-26' }],
    ['下周出差，王五代我审批', 'delegation.set', { period: { from: '2026-11-30', to: '2026-12-06' } }],
    ['delegate to lisi from 2026-12-01 to 2026-12-05', 'delegation.set', { period: { from: '2026-12-01', to: '2026-12-05' } }],
    ['取消代理', 'delegation.cancel', {}],
    ['取消李四的代理', 'delegation.cancel', {}],
    ['代理不用了', 'delegation.cancel', {}],
    ['我的代理', 'delegation.list', {}],
    ['我的代理人是谁', 'delegation.list', {}],
    ['谁在代我审批', 'delegation.list', {}],
  ])('%s → %s', (text, intent, slots) => {
    expect(parseWithRules(text, now)).toMatchObject({ intent, slots })
  })
})

describe('colloquial withdrawals, and what is not one', () => {
  it.each<[string, Intent, Slots]>([
    ['把我那个单子撤了吧', 'request.withdraw', {}],
    ['撤回我的报销', 'request.withdraw', {}],
    ['刚才那个申请不要了', 'request.withdraw', {}],
    ['我不想报了，撤掉', 'request.withdraw', {}],
    ['这笔报销我不要了 BX-202611-0031', 'request.withdraw', { requestNo: 'BX-202611-0031' }],
    ['我的申请先撤一下', 'request.withdraw', {}],
    ['不同意', 'approval.reject', {}],
    ['取消', 'unknown', {}],
    ['取消代理', 'delegation.cancel', {}],
    ['我的申请到哪了', 'request.status', {}],
  ])('%s → %s', (text, intent, slots) => {
    expect(parseWithRules(text, now)).toMatchObject({ intent, slots })
  })
})
