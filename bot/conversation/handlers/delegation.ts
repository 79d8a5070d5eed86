import { DomainError } from '../../../workflow/errors.js'
import { companyDate } from '../../../workflow/shanghai-time.js'
import { Delegations, type Delegation } from '../../../workflow/time/delegations.js'
import type { BotServices } from '../../bot-services.js'
import type { CommandHandler, HandlerContext } from '../handler-context.js'
import { peopleNamedIn } from './named-people.js'

/**
 * Out-of-office stand-ins (代理) by chat, the same domain calls as the mini-app's My work:
 * 「12月1日到5日我休假，审批让李四代理」 sets one, 「我的代理」 lists, 「取消代理」 cancels.
 */
const delegationsOf = (services: BotServices) => new Delegations(services.db, services.now)

/** The stand-ins a person set that are in force now or still to come. */
async function upcoming(ctx: HandlerContext): Promise<Delegation[]> {
  const today = companyDate(ctx.services.now())
  return (await delegationsOf(ctx.services).list(ctx.user.id)).filter((d) => d.to >= today)
}

async function tell(services: BotServices, userId: string, text: string): Promise<void> {
  // The change is saved; a stand-in we cannot reach still gets the tasks and sees them in 「待我审批」.
  await services.messenger.sendText(userId, text).catch((error: unknown) => services.log(`delegation notice not delivered to ${userId}: ${String(error)}`))
}

export const setDelegation: CommandHandler = async (ctx) => {
  const { services, user } = ctx
  const { period, date, reason } = ctx.command.slots
  const people = (await peopleNamedIn(services, ctx.text)).people.filter((p) => p.id !== user.id)
  if (people.length !== 1) {
    await ctx.reply(people.length === 0 ? '请说明让谁代理，例如「12月1日到5日休假，审批让李四代理」' : `只能指定一位代理人（你提到了 ${people.map((p) => p.name).join('、')}）`)
    return
  }
  const delegate = people[0]!
  const from = period?.from ?? date
  const to = period?.to ?? date
  if (!from || !to) {
    await ctx.reply(`请说明代理的日期，例如「设置代理 ${delegate.name} 下周一到下周五」`)
    return
  }
  try {
    await delegationsOf(services).set({ actorId: user.id, principalId: user.id, delegateId: delegate.id, from, to, ...(reason ? { reason } : {}) })
  } catch (error) {
    if (!(error instanceof DomainError)) throw error
    await ctx.reply(error.zh)
    return
  }
  await ctx.reply(`已设置代理：${from} 至 ${to}，期间你的新审批任务交给 ${delegate.name}。发送「我的代理」查看，「取消代理」撤销`)
  await tell(services, delegate.id, `${user.name} 设置你为 ${from} 至 ${to} 的审批代理人，期间其新的审批任务会发给你`)
}

/** 「取消代理」 cancels every stand-in still to come or in force; 「取消李四的代理」 only 李四's. */
export const cancelDelegation: CommandHandler = async (ctx) => {
  const { services, user } = ctx
  const named = new Set((await peopleNamedIn(services, ctx.text)).people.map((p) => p.id))
  const chosen = (await upcoming(ctx)).filter((d) => named.size === 0 || named.has(d.delegateId))
  if (chosen.length === 0) {
    await ctx.reply('你没有生效中或待生效的代理设置')
    return
  }
  const names = await services.org.names(chosen.map((d) => d.delegateId))
  for (const d of chosen) await delegationsOf(services).revoke(d.id, user.id)
  await ctx.reply(`已取消代理：${chosen.map((d) => `${names.get(d.delegateId)}（${d.from} 至 ${d.to}）`).join('、')}`)
  for (const d of chosen) await tell(services, d.delegateId, `${user.name} 取消了你 ${d.from} 至 ${d.to} 的审批代理`)
}

/** 「我的代理」: whom I named, and for whom I stand in. */
export const listDelegations: CommandHandler = async (ctx) => {
  const { services, user } = ctx
  const today = companyDate(services.now())
  const mine = await upcoming(ctx)
  const standingIn = await services.db
    .selectFrom('delegations')
    .select(['principal_id', 'starts_at', 'ends_at'])
    .where('delegate_id', '=', user.id)
    .where('revoked_at', 'is', null)
    .where('ends_at', '>', services.now())
    .orderBy('starts_at')
    .execute()
  const names = await services.org.names([...mine.map((d) => d.delegateId), ...standingIn.map((d) => d.principal_id)])
  const state = (from: string) => (from <= today ? '生效中' : '未开始')
  const lines = mine.map((d) => `· ${names.get(d.delegateId)} 代理你：${d.from} 至 ${d.to}（${state(d.from)}）`)
  for (const d of standingIn) {
    const from = companyDate(Number(d.starts_at))
    lines.push(`· 你代理 ${names.get(d.principal_id)}：${from} 至 ${companyDate(Number(d.ends_at) - 1)}（${state(from)}）`)
  }
  await ctx.reply(lines.length > 0 ? `你的代理设置：\n${lines.join('\n')}` : '你没有设置代理。例如「12月1日到5日休假，审批让李四代理」')
}
