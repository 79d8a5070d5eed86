import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyAuditChain } from '../../workflow/audit-chain.js'
import { isDomainError } from '../../workflow/errors.js'
import { URGE_INTERVAL_MS } from '../../workflow/request-service.js'
import { approvalsNeeded, type RouteStep } from '../../workflow/routing/route.js'
import type { ApproverMode, FlowNode } from '../../workflow/templates/flow-definition.js'
import { DB_KINDS } from '../helpers/databases.js'
import { flow, FlowHarness } from './flow-harness.js'

/** mulberry32: a small seeded generator, so a failing sequence can be replayed from its seed. */
class Random {
  private state: number
  constructor(seed: number) {
    this.state = seed >>> 0
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  int(n: number): number {
    return Math.floor(this.next() * n)
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!
  }
  some<T>(list: readonly T[], max: number): T[] {
    const copy = [...list]
    const out: T[] = []
    for (let n = 1 + this.int(max); n > 0 && copy.length > 0; n--) out.push(copy.splice(this.int(copy.length), 1)[0]!)
    return out
  }
}

const PEOPLE = ['zhangsan', 'wujiu', 'lisi', 'wangwu', 'zhaoliu', 'qianqi', 'sunba', 'zhengshi'] as const
const APPROVERS = ['lisi', 'wangwu', 'zhaoliu', 'qianqi', 'sunba', 'zhangsan'] as const
const MODES: ApproverMode[] = ['sequential', 'countersign', 'or-sign', 'vote']
const ACTIONS = ['approve', 'approve', 'approve', 'approve', 'approve', 'reject', 'return', 'transfer', 'add', 'withdraw', 'urge', 'resubmit', 'comment'] as const
type Action = (typeof ACTIONS)[number]
/** Refusals a person who may not act must get. */
const NOT_ALLOWED = ['NOT_APPROVER', 'ALREADY_DECIDED', 'INVALID_STATE', 'FORBIDDEN']

function randomFlow(rng: Random) {
  const nodes: FlowNode[] = []
  const count = 1 + rng.int(4)
  for (let i = 0; i < count; i++) {
    const mode = rng.pick(MODES)
    nodes.push({ kind: 'approver', id: `p${i}`, name: `随机${i}`, mode, sources: [{ kind: 'users', userIds: rng.some(APPROVERS, 3) }], ...(mode === 'vote' ? { passRatio: rng.pick([0.5, 0.6, 1]) } : {}), emptyApprover: 'auto-pass' })
    if (rng.int(5) === 0) nodes.push({ kind: 'cc', id: `cc${i}`, name: '抄送', sources: [{ kind: 'users', userIds: ['admin'] }] })
  }
  return flow(nodes, { dedup: rng.int(2) === 0, initiatorIsApprover: rng.pick(['auto-pass', 'keep'] as const) })
}

/**
 * Random sequences of actions by random people. After every step the request must be in a valid
 * state, every refusal must have changed nothing, and nobody without a pending task on the current
 * step may have decided anything.
 */
describe.each(DB_KINDS)('random action sequences keep every request valid (%s)', (kind) => {
  let h: FlowHarness
  beforeAll(async () => {
    h = await FlowHarness.open(kind)
  })
  afterAll(async () => {
    await h.close()
  })

  const state = async (requestId: string) => {
    const request = await h.db.selectFrom('requests').selectAll().where('id', '=', requestId).executeTakeFirstOrThrow()
    const tasks = await h.db.selectFrom('approval_tasks').selectAll().where('request_id', '=', requestId).orderBy('id').execute()
    const outbox = await h.db.selectFrom('outbox').select('id').where('request_id', '=', requestId).execute()
    const comments = await h.db.selectFrom('request_comments').select('id').where('request_id', '=', requestId).execute()
    const audit = await h.db.selectFrom('audit_log').select('id').where('entity_id', '=', requestId).execute()
    return { request, tasks, outbox: outbox.length, comments: comments.length, audit: audit.length }
  }
  type State = Awaited<ReturnType<typeof state>>

  function checkInvariants(s: State, where: string): void {
    const { request, tasks } = s
    const route = JSON.parse(request.route) as RouteStep[]
    const pending = tasks.filter((t) => t.status === 'pending')
    const current = Number(request.current_step)
    const fail = (what: string) => expect.fail(`${where}: ${what} — ${JSON.stringify({ status: request.status, current, round: request.round, route: route.map((r) => [r.mode, r.approverIds]), tasks: tasks.map((t) => [t.step, t.round, t.approver_id, t.status]) })}`)
    if (request.status !== 'pending' && pending.length > 0) fail(`a ${request.status} request has pending tasks`)
    if (['approved', 'rejected', 'withdrawn'].includes(request.status) !== (request.finished_at !== null)) fail('finished_at does not match the status')
    if (request.status === 'approved' && s.outbox !== 1) fail(`an approved claim has ${s.outbox} postings`)
    if (request.status !== 'approved' && s.outbox !== 0) fail('a posting for a request that is not approved')
    // Tasks from before a resubmission belong to the old route; the current route's must fit it.
    if (tasks.some((t) => Number(t.round) >= Number(request.route_round) && Number(t.step) >= route.length)) fail('a task points past the route')
    if (request.status !== 'pending') return
    if (pending.length === 0) fail('a pending request waits for nobody')
    if (pending.some((t) => Number(t.step) !== current || Number(t.round) !== Number(request.round))) fail('a pending task off the current step (two current steps)')
    const step = route[current]
    if (!step || step.kind === 'cc') fail('the current step is not an approval step')
    const members = pending.map((t) => t.delegated_from ?? t.approver_id)
    if (new Set(members).size !== members.length) fail('one member holds two pending tasks')
    const decided = (status: string) =>
      step!.approverIds.filter((m) => tasks.some((t) => Number(t.step) === current && Number(t.round) === Number(request.round) && (t.delegated_from ?? t.approver_id) === m && t.status === status)).length
    const approved = decided('approved')
    if (approved >= approvalsNeeded(step!) && step!.approverIds.length > 0) fail('the current step already passed but did not move on')
    if (step!.mode !== 'vote' && decided('rejected') > 0) fail('a rejection did not end the request')
  }

  /** May this person do this, judged from the state before the action alone. */
  function entitled(s: State, action: Action, actor: string, now: number): boolean {
    const { request, tasks } = s
    const holds = request.status === 'pending' && tasks.some((t) => t.approver_id === actor && t.status === 'pending' && Number(t.step) === Number(request.current_step))
    const isRequester = request.requester_id === actor
    switch (action) {
      case 'approve':
      case 'reject':
      case 'return':
      case 'transfer':
      case 'add':
        return holds
      case 'withdraw':
        return (
          isRequester &&
          (request.status === 'returned' ||
            (request.status === 'pending' &&
              !tasks.some((t) => Number(t.step) === Number(request.current_step) && Number(t.round) === Number(request.round) && t.auto_reason === null && (t.status === 'approved' || t.status === 'rejected'))))
        )
      case 'resubmit':
        return isRequester && request.status === 'returned'
      case 'urge':
        return isRequester && request.status === 'pending' && (request.last_urged_at === null || now - Number(request.last_urged_at) >= URGE_INTERVAL_MS)
      case 'comment':
        return isRequester || tasks.some((t) => t.approver_id === actor || t.delegated_from === actor) || (JSON.parse(request.route) as RouteStep[]).some((r) => r.kind === 'cc' && r.reachedAt !== undefined && r.approverIds.includes(actor))
    }
  }

  async function act(rng: Random, requestId: string, action: Action, actor: string, s: State): Promise<unknown> {
    const route = JSON.parse(s.request.route) as RouteStep[]
    switch (action) {
      case 'approve':
        return h.approve(requestId, actor, rng.int(2) ? '同意' : undefined)
      case 'reject':
        return h.reject(requestId, actor, '不同意')
      case 'return': {
        const current = Number(s.request.current_step)
        const target = current > 0 && rng.int(2) ? rng.int(current) : 'initiator'
        return h.decisions.returnTo({ requestId, actorId: actor, target, comment: '请修改' })
      }
      case 'transfer':
        return h.decisions.transfer({ requestId, actorId: actor, toUserId: rng.pick(PEOPLE) })
      case 'add':
        return h.decisions.addSigners({ requestId, actorId: actor, userIds: rng.some(PEOPLE, 2), position: rng.pick(['before', 'after'] as const), mode: rng.pick(['all', 'any'] as const) })
      case 'withdraw':
        return h.requests.withdraw(requestId, actor)
      case 'urge':
        return h.requests.urge(requestId, actor)
      case 'resubmit':
        return h.requests.resubmit(requestId, actor, rng.int(2) ? { payload: { amountFen: (1 + rng.int(90)) * 100_00 } } : {})
      case 'comment':
        return h.decisions.comment({ requestId, actorId: actor, text: `第${route.length}条意见` })
    }
  }

  const sequences = kind === 'sqlite' ? 40 : 10
  const steps = kind === 'sqlite' ? 30 : 20

  it(`${sequences} sequences of ${steps} random actions`, async () => {
    for (let seed = 1; seed <= sequences; seed++) {
      const rng = new Random(seed * 7919)
      await h.publish('expense', randomFlow(rng))
      const requester = rng.pick(['zhangsan', 'wujiu'] as const)
      let { request } = await h.expense(requester, (1 + rng.int(90)) * 100)
      checkInvariants(await state(request.id), `seed ${seed}, submitted`)
      for (let step = 0; step < steps; step++) {
        if (['approved', 'rejected', 'withdrawn'].includes((await state(request.id)).request.status)) {
          request = (await h.expense(requester, (1 + rng.int(90)) * 100)).request
          checkInvariants(await state(request.id), `seed ${seed} step ${step}, submitted again`)
        }
        h.clock += rng.int(3) === 0 ? URGE_INTERVAL_MS : 1000
        const action = rng.pick(ACTIONS)
        const before = await state(request.id)
        // Mostly someone who can act, so sequences get somewhere; often anyone, so refusals are tried.
        const holders = before.tasks.filter((t) => t.status === 'pending').map((t) => t.approver_id)
        const roll = rng.int(10)
        const actor = roll < 5 && holders.length > 0 ? rng.pick(holders) : roll < 7 ? requester : rng.pick(PEOPLE)
        const mayAct = entitled(before, action, actor, h.clock)
        const where = `seed ${seed} step ${step}: ${actor} ${action}`
        const error = await act(rng, request.id, action, actor, before).then(
          () => null,
          (e: unknown) => e,
        )
        if (error !== null) {
          if (!isDomainError(error)) throw error
          if (!mayAct) expect(NOT_ALLOWED, where).toContain(error.code)
          expect(await state(request.id), `${where}: a refusal changed something`).toEqual(before)
        } else {
          expect(mayAct, `${where}: succeeded without being entitled`).toBe(true)
        }
        checkInvariants(await state(request.id), where)
      }
    }
    expect(await verifyAuditChain(h.db)).toMatchObject({ ok: true })
  })
})
