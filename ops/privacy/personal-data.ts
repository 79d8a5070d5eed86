import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'

const parse = (json: string | null): unknown => {
  if (json === null) return null
  try {
    return JSON.parse(json)
  } catch {
    return json
  }
}
const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString())

/**
 * Everything the system holds about one employee (PIPL art. 45, the right to a copy), as one JSON
 * document: the employee record, platform identities, their requests with what they claimed,
 * approvals they gave, comments, delegations, files, open dialogue, simulator transcript, chat
 * messages still waiting to reach them, ERP codes, and the audit entries they caused or that are about them.
 */
export async function exportPersonalData(db: Kysely<Schema>, userId: string, now = Date.now()) {
  const employee = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst()
  if (!employee) return undefined
  const department = await db.selectFrom('departments').select(['id', 'name']).where('id', '=', employee.department_id).executeTakeFirst()
  const [identities, requests, tasks, comments, delegations, attachments, conversation, transcript, cards, waiting, erpCodes, audit] = await Promise.all([
    db.selectFrom('user_identities').select(['platform', 'external_id', 'created_at']).where('user_id', '=', userId).execute(),
    db.selectFrom('requests').selectAll().where('requester_id', '=', userId).orderBy('created_at').execute(),
    db
      .selectFrom('approval_tasks')
      .innerJoin('requests', 'requests.id', 'approval_tasks.request_id')
      .select(['requests.request_no', 'approval_tasks.step', 'approval_tasks.status', 'approval_tasks.comment', 'approval_tasks.decided_at', 'approval_tasks.delegated_from', 'approval_tasks.created_at'])
      .where((eb) => eb.or([eb('approval_tasks.approver_id', '=', userId), eb('approval_tasks.delegated_from', '=', userId)]))
      .orderBy('approval_tasks.created_at')
      .execute(),
    db
      .selectFrom('request_comments')
      .innerJoin('requests', 'requests.id', 'request_comments.request_id')
      .select(['requests.request_no', 'request_comments.text', 'request_comments.at'])
      .where('request_comments.author_id', '=', userId)
      .execute(),
    db
      .selectFrom('delegations')
      .selectAll()
      .where((eb) => eb.or([eb('principal_id', '=', userId), eb('delegate_id', '=', userId)]))
      .execute(),
    db.selectFrom('attachments').select(['id', 'request_id', 'platform', 'name', 'mime_type', 'size_bytes', 'reading', 'invoice', 'created_at']).where('owner_id', '=', userId).execute(),
    db.selectFrom('conversations').selectAll().where('user_id', '=', userId).executeTakeFirst(),
    db.selectFrom('sim_messages').select(['direction', 'text', 'at']).where('user_id', '=', userId).orderBy('id').execute(),
    db.selectFrom('cards').select(['request_id', 'audience', 'platform', 'created_at']).where('recipient_id', '=', userId).execute(),
    db.selectFrom('chat_deliveries').select(['kind', 'platform', 'status', 'body', 'created_at']).where('recipient_id', '=', userId).orderBy('created_at').execute(),
    db.selectFrom('erp_mappings').select(['kind', 'erp_code', 'erp_name']).where('kind', '=', 'employee').where('local_key', '=', userId).execute(),
    db
      .selectFrom('audit_log')
      .select(['seq', 'at', 'actor_id', 'action', 'entity_type', 'entity_id', 'before_state', 'after_state'])
      .where((eb) => eb.or([eb('actor_id', '=', userId), eb.and([eb('entity_type', '=', 'user'), eb('entity_id', '=', userId)])]))
      .orderBy('seq')
      .execute(),
  ])
  return {
    exportedAt: iso(now),
    userId,
    employee: {
      employeeNo: employee.employee_no,
      name: employee.name,
      department: department?.name ?? employee.department_id,
      managerId: employee.manager_id,
      title: employee.title,
      level: employee.level,
      roles: parse(employee.roles),
      mobile: employee.mobile,
      email: employee.email,
      active: Number(employee.active) === 1,
      createdAt: iso(employee.created_at),
    },
    platformIdentities: identities.map((i) => ({ platform: i.platform, externalId: i.external_id, linkedAt: iso(i.created_at) })),
    requests: requests.map((r) => ({
      requestNo: r.request_no,
      type: r.type,
      title: r.title,
      status: r.status,
      amountFen: Number(r.amount_fen),
      payload: parse(r.payload),
      submittedAt: iso(r.submitted_at),
      finishedAt: iso(r.finished_at),
    })),
    approvals: tasks.map((t) => ({ requestNo: t.request_no, step: Number(t.step), status: t.status, comment: t.comment, decidedAt: iso(t.decided_at), onBehalfOf: t.delegated_from })),
    comments: comments.map((c) => ({ requestNo: c.request_no, text: c.text, at: iso(c.at) })),
    delegations: delegations.map((d) => ({ principalId: d.principal_id, delegateId: d.delegate_id, from: iso(d.starts_at), until: iso(d.ends_at), reason: d.reason, revokedAt: iso(d.revoked_at) })),
    attachments: attachments.map((a) => ({ ...a, size_bytes: Number(a.size_bytes), invoice: parse(a.invoice), created_at: iso(a.created_at) })),
    openDialogue: conversation ? { state: parse(conversation.state), updatedAt: iso(conversation.updated_at) } : null,
    simulatorTranscript: transcript.map((m) => ({ direction: m.direction, text: m.text, at: iso(m.at) })),
    cardsReceived: cards.map((c) => ({ requestId: c.request_id, audience: c.audience, platform: c.platform, at: iso(c.created_at) })),
    chatMessagesWaiting: waiting.map((d) => ({ kind: d.kind, platform: d.platform, status: d.status, text: d.kind === 'text' ? d.body : null, queuedAt: iso(d.created_at) })),
    erpCodes: erpCodes.map((m) => ({ code: m.erp_code, name: m.erp_name })),
    auditEntries: audit.map((a) => ({ seq: Number(a.seq), at: iso(a.at), actorId: a.actor_id, action: a.action, entity: `${a.entity_type}:${a.entity_id}`, before: parse(a.before_state), after: parse(a.after_state) })),
  }
}

export type PersonalDataExport = NonNullable<Awaited<ReturnType<typeof exportPersonalData>>>
