import { asksAboutDecision, negatedDecision } from '../../nlu/rules/index.js'
import type { CommandHandler } from '../handler-context.js'

export const HELP_TEXT = [
  '我可以帮你：',
  '· 报销：「提交本月差旅费 3500元」「报销昨天打车费58元」，或直接发来电子发票（PDF/XML）自动填写',
  '· 其他申请：「申请采购10台笔记本电脑，预算8万」「下月1号调岗到销售部」「我要离职」「发起立项：双十一营销活动」',
  '· 查进度：「我的报销到哪了」「BX-202611-0007 到哪一步了」「撤回 BX-202611-0007」',
  '· 审批：「待我审批」「同意 BX-202611-0007」「驳回 BX-202611-0007 理由：票据不全」',
  '· 休假代理：「12月1日到5日休假，审批让李四代理」「我的代理」「取消代理」',
  '· 确认卡片上可以「修改」，也可以直接说「金额改成500」「日期改为昨天」',
  '随时输入「取消」放弃正在填写的申请。',
].join('\n')

export const help: CommandHandler = async (ctx) => {
  await ctx.reply(HELP_TEXT)
}

const NOTHING_DECIDED = '没有同意，也没有驳回任何申请。'
const OTHER_DECISIONS = '要驳回请说「驳回 单号 理由：…」，查看待审批请说「待我审批」。'

/** 「先别同意」「别驳回」: a decision held off is understood, and nothing was decided (bot/nlu/rules/intents.ts). */
export const HOLD_TEXT = `好的，先不处理：${NOTHING_DECIDED}\n${OTHER_DECISIONS}`

/** 「可以同意吗」「要不要批」: asked, not put off, so 「好的，先不处理」 would answer nothing; it says how to decide. */
export const DECISION_QUESTION_TEXT = `还没有处理：${NOTHING_DECIDED}\n要同意请回复「同意 单号」或点卡片上的「同意」；要先放一放，不用回复。\n${OTHER_DECISIONS}`

export const notUnderstood: CommandHandler = async (ctx) => {
  if (negatedDecision(ctx.text) === 'hold') await ctx.reply(asksAboutDecision(ctx.text) ? DECISION_QUESTION_TEXT : HOLD_TEXT)
  else await ctx.reply(`抱歉，我没有理解「${ctx.text}」。\n${HELP_TEXT}`)
}
