import { DomainError } from '../errors.js'
import type { Employee, OrgDirectory } from '../org.js'
import type { ApproverMode, ApproverNode, CcNode, FlowDefinition, FlowNode } from '../templates/flow-definition.js'
import { NOBODY_TO_REPLACE, replaceResigned, resolveSource } from './approver-sources.js'
import { evaluateCondition, type ConditionFacts, type RoutingFacts } from './conditions.js'
import type { RouteMode, RouteStep } from './route.js'

export interface RouteInput {
  definition: FlowDefinition
  org: OrgDirectory
  requester: Employee
  facts: RoutingFacts
  /** Initiator-selected approvers by node id. */
  selections?: Record<string, string[]>
  /** Preview for the confirmation card: missing selections are shown, not refused. */
  preview?: boolean
}

/** The input as the walk sees it: the facts with the department tree added. */
interface Routing extends RouteInput {
  facts: ConditionFacts
}

export interface ResolvedRoute {
  steps: RouteStep[]
  /** Branch decisions that added no step, so the card can still say why ("金额 3,500.00 ≤ 5,000.00，无需…"). */
  notes: string[]
}

const MODES: Record<ApproverMode, RouteMode> = { 'or-sign': 'any', countersign: 'all', sequential: 'sequential', vote: 'vote' }

/**
 * Template + request → the ordered steps, each with its approvers and the reason it is there.
 * Deterministic: the same template, org and request always give the same route.
 */
export async function buildRoute(input: RouteInput): Promise<ResolvedRoute> {
  const steps: RouteStep[] = []
  const notes: string[] = []
  const routing: Routing = { ...input, facts: await withDepartmentTree(input.org, input.facts) }
  await walk(routing, input.definition.nodes, [], undefined, steps, notes)
  return { steps, notes }
}

/** Adds the requester's department path and the department names, read from the org's department tree. */
async function withDepartmentTree(org: OrgDirectory, facts: RoutingFacts): Promise<ConditionFacts> {
  const departments = await org.departments()
  const parentOf = new Map(departments.map((d) => [d.id, d.parentId]))
  const departmentPath = [facts.departmentId]
  // A loop in the department tree must not hang routing: stop at the first department seen twice.
  for (let up = parentOf.get(facts.departmentId); up && !departmentPath.includes(up); up = parentOf.get(up)) departmentPath.push(up)
  return { ...facts, departmentPath, departmentNames: new Map(departments.map((d) => [d.id, d.name])) }
}

/** Returns false when an end node stopped the flow. */
async function walk(input: Routing, nodes: FlowNode[], trail: string[], branchReason: string | undefined, steps: RouteStep[], notes: string[]): Promise<boolean> {
  for (const node of nodes) {
    switch (node.kind) {
      case 'end':
        return false
      case 'approver':
        steps.push(await approverStep(input, node, reasonFor(trail, branchReason, node.reason ?? node.name)))
        break
      case 'cc':
        steps.push(await ccStep(input, node, reasonFor(trail, branchReason, node.reason ?? node.name)))
        break
      case 'condition': {
        const taken = pickBranch(node, input.facts)
        const before = steps.length
        const goOn = await walk(input, taken.nodes, [...trail, taken.explanation], taken.reason, steps, notes)
        if (steps.length === before) notes.push(reasonFor([...trail, taken.explanation], undefined, taken.reason ?? `进入「${taken.name}」`))
        if (!goOn) return false
        break
      }
    }
  }
  return true
}

function reasonFor(trail: string[], branchReason: string | undefined, own: string): string {
  return trail.length === 0 ? own : [...trail, branchReason ?? own].join('，')
}

function pickBranch(node: Extract<FlowNode, { kind: 'condition' }>, facts: ConditionFacts) {
  const failed: string[] = []
  for (const branch of node.branches) {
    const result = evaluateCondition(branch.when, facts)
    if (result.holds) return { name: branch.name, nodes: branch.nodes, reason: branch.reason, explanation: result.explanation }
    failed.push(result.explanation)
  }
  return { name: node.else.name ?? '其他情况', nodes: node.else.nodes, reason: node.else.reason, explanation: failed.join('，') }
}

async function resolvePeople(input: RouteInput, node: ApproverNode | CcNode): Promise<{ ids: string[]; notes: string[]; sharedSeats: string[][] }> {
  const named = await namedPeople(input, node)
  const ids: string[] = []
  const notes: string[] = []
  const sharedSeats: string[][] = []
  for (const person of named) {
    if (person.active) {
      ids.push(person.id)
      continue
    }
    // Everyone the node names counts as on the step, also those listed after the resigned one.
    const onStep = [...named.map((p) => p.id), ...ids]
    const replacement = await replaceResigned(input.org, person, input.definition.settings.resignedApprover, { requesterId: input.requester.id, onStep })
    if (!replacement) {
      notes.push(NOBODY_TO_REPLACE(person))
      continue
    }
    ids.push(...replacement.ids)
    if (replacement.ids.length > 1) sharedSeats.push(replacement.ids)
    notes.push(replacement.note)
  }
  return { ids, notes, sharedSeats }
}

/** The people the node's sources name, each once, in order; unknown ids are left out. */
async function namedPeople(input: RouteInput, node: ApproverNode | CcNode): Promise<Employee[]> {
  const named: Employee[] = []
  for (const source of node.sources) {
    const selected = source.kind === 'initiatorSelected' ? await checkedSelection(input, node, source.multiple ?? false) : undefined
    for (const id of await resolveSource(source, { org: input.org, requester: input.requester, selected })) {
      const person = await input.org.employee(id)
      if (person && !named.some((p) => p.id === id)) named.push(person)
    }
  }
  return named
}

async function checkedSelection(input: RouteInput, node: ApproverNode | CcNode, multiple: boolean): Promise<string[] | undefined> {
  const chosen = input.selections?.[node.id]
  if (!chosen || chosen.length === 0) {
    if (input.preview) return undefined
    throw new DomainError('VALIDATION', `请选择「${node.name}」的审批人`, `choose the approvers of "${node.name}"`)
  }
  if (!multiple && chosen.length > 1) {
    throw new DomainError('VALIDATION', `「${node.name}」只能选择一位审批人`, `"${node.name}" takes one approver`)
  }
  for (const id of chosen) {
    const person = await input.org.employee(id)
    if (!person?.active) throw new DomainError('VALIDATION', `所选审批人不存在或已离职：${id}`, `selected approver unknown or inactive: ${id}`)
    if (id === input.requester.id) throw new DomainError('VALIDATION', '不能选择自己作为审批人', 'you cannot choose yourself as approver')
  }
  return chosen
}

async function approverStep(input: RouteInput, node: ApproverNode, reason: string): Promise<RouteStep> {
  const { settings } = input.definition
  const base: RouteStep = { id: node.id, kind: 'approver', name: node.name, mode: MODES[node.mode], approverIds: [], reason }
  if (node.mode === 'vote') base.passRatio = node.passRatio
  if (node.sla) base.sla = node.sla
  const awaitingSelection = node.sources.some((s) => s.kind === 'initiatorSelected') && !(input.selections?.[node.id]?.length)
  if (input.preview && awaitingSelection) return { ...base, awaitingSelection: true, skippedBecause: '待发起人选择审批人' }

  const people = await resolvePeople(input, node)
  const step: RouteStep = { ...base, approverIds: people.ids, ...(people.notes.length ? { notes: people.notes } : {}), ...(people.sharedSeats.length ? { sharedSeats: people.sharedSeats } : {}) }
  const selected = input.selections?.[node.id]
  if (selected?.length && node.sources.some((s) => s.kind === 'initiatorSelected')) step.selected = selected
  const keepsInitiator = settings.initiatorIsApprover === 'keep' || node.sources.some((s) => s.kind === 'initiator')
  if (!keepsInitiator && step.approverIds.includes(input.requester.id)) {
    step.approverIds = step.approverIds.filter((id) => id !== input.requester.id)
    if (step.approverIds.length === 0) return { ...step, skippedBecause: '审批人即发起人，自动通过' }
    step.notes = [...(step.notes ?? []), '发起人不审批自己的申请，已从本步移除']
  }
  if (step.approverIds.length > 0) return step

  switch (node.emptyApprover ?? 'admin') {
    case 'auto-pass':
      return { ...step, skippedBecause: '审批人为空，自动通过' }
    case 'reject':
      return { ...step, rejectWhenReached: `「${node.name}」找不到审批人，按流程设置自动驳回` }
    case 'admin': {
      const admins = (await input.org.withRole('admin')).filter((a) => a.active && a.id !== input.requester.id)
      if (admins.length === 0) {
        throw new DomainError('NO_APPROVER', `「${node.name}」找不到审批人，也没有可转交的管理员，请联系管理员配置`, `no approver for "${node.name}" and no admin to take it`)
      }
      return { ...step, mode: 'any', approverIds: admins.map((a) => a.id), notes: [...(step.notes ?? []), '审批人为空，已转交管理员'] }
    }
  }
}

async function ccStep(input: RouteInput, node: CcNode, reason: string): Promise<RouteStep> {
  const people = await resolvePeople(input, node)
  const step: RouteStep = { id: node.id, kind: 'cc', name: node.name, mode: 'any', approverIds: people.ids, reason }
  return people.ids.length > 0 ? step : { ...step, skippedBecause: '无抄送人' }
}
