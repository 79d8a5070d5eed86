import type { Connection } from 'mysql2/promise'

/**
 * A company's history at scale for the inbox bench, written by MariaDB itself with INSERT…SELECT
 * from its built-in number tables (the SEQUENCE engine's seq_1_to_N), so a million requests and
 * five million tasks take a minute instead of an hour of round trips.
 *
 * Shape: 10,000 employees in 100 departments; requests spread evenly over three years, the newest
 * 1% still pending; every request has exactly five tasks. A finished request has one task per
 * step (0–4), all decided. A pending request at step c has its earlier steps approved and its
 * current step counter-signed by 5−c members (会签), all pending. Approvers come from one pool
 * per step, narrowing up the hierarchy: 1,000 team leads, 200 heads, 50 reviewers, 10 finance
 * managers, 5 in the CFO's office, so the busiest approvers hold a few hundred pending tasks.
 * Every approved request has its (posted) outbox row.
 */
export interface InboxScale {
  employees: number
  requests: number
  pendingShare: number
}

export const INBOX_SCALE: InboxScale = { employees: 10_000, requests: 1_000_000, pendingShare: 0.01 }

const STEP_POOLS: { first: number; size: number; name: string }[] = [
  { first: 1, size: 1000, name: '直属上级' },
  { first: 1001, size: 200, name: '部门负责人' },
  { first: 1201, size: 50, name: '财务审核' },
  { first: 1251, size: 10, name: '财务经理' },
  { first: 1261, size: 5, name: 'CFO 办公室' },
]

/** Three years of history, ending at a fixed day so runs are comparable. */
const HISTORY_END_MS = Date.UTC(2026, 10, 24)
const HISTORY_MS = 3 * 365 * 86_400_000
const CHUNK = 100_000

const route = JSON.stringify(STEP_POOLS.map((p, i) => ({ id: `n${i + 1}`, kind: 'approver', name: p.name, mode: 'all', approverIds: [], reason: '按流程模板' })))

/**
 * The approver of slot `member` on `step` of request number `seq`, as an SQL expression. A hash,
 * not arithmetic on seq: the current step is seq mod 5, and a pick sharing that factor would pile
 * every pending task of a step onto one or two people of its pool.
 */
const approverSql = (seq: string, step: string, member: string) =>
  `ELT(${step} + 1, ${STEP_POOLS.map((p) => `CONCAT('u', ${p.first} + CRC32(CONCAT(${seq}, '/', ${step}, '/', ${member})) % ${p.size})`).join(', ')})`

export async function seedInbox(sql: Connection, scale: InboxScale, log: (line: string) => void): Promise<void> {
  const started = performance.now()
  const took = () => `${((performance.now() - started) / 1000).toFixed(1)} s`
  await sql.query('SET SESSION unique_checks = 0, foreign_key_checks = 0')
  const firstPending = Math.round(scale.requests * (1 - scale.pendingShare)) + 1
  const spacing = Math.floor(HISTORY_MS / scale.requests)
  const startMs = HISTORY_END_MS - HISTORY_MS

  await sql.query(`INSERT INTO departments (id, name, parent_id, head_user_id, cost_center, created_at)
    SELECT CONCAT('d', seq), CONCAT('部门', seq), NULL, NULL, CONCAT('CC', seq), 0 FROM seq_1_to_100`)
  await sql.query(`INSERT INTO users (id, employee_no, name, department_id, manager_id, title, level, roles, mobile, email, active, created_at)
    SELECT CONCAT('u', seq), CONCAT('E', 100000 + seq), CONCAT('员工', seq), CONCAT('d', 1 + seq % 100), CONCAT('u', 1 + seq % 1000), NULL,
      1, '["employee"]', NULL, NULL, 1, 0 FROM seq_1_to_${scale.employees}`)

  for (let from = 1; from <= scale.requests; from += CHUNK) {
    const to = Math.min(scale.requests, from + CHUNK - 1)
    const pending = `(seq >= ${firstPending})`
    await sql.query(
      `INSERT INTO requests (id, request_no, type, requester_id, title, payload, amount_fen, status, route, current_step, version,
         created_at, submitted_at, updated_at, finished_at, template_version, round, route_round, occurred_on)
       SELECT CONCAT('00000000-0000-4000-8000-', LPAD(seq, 12, '0')), CONCAT('BX-', DATE_FORMAT(FROM_UNIXTIME(t DIV 1000), '%Y%m'), '-', LPAD(seq, 7, '0')),
         'expense', CONCAT('u', 1 + (seq * 7919) % ${scale.employees}), CONCAT('差旅费报销 ', seq),
         CONCAT('{"category":"travel","amountFen":', 10000 + seq % 500000, ',"reason":"出差客户拜访","period":{"from":"2026-11-01","to":"2026-11-30"}}'),
         10000 + seq % 500000,
         IF(${pending}, 'pending', ELT(1 + seq % 20 DIV 17 + seq % 20 DIV 19, 'approved', 'rejected', 'withdrawn')),
         ?, IF(${pending}, seq % 5, 4), 1, t, t, t, IF(${pending}, NULL, t + 86400000), 1, 0, 0, DATE_FORMAT(FROM_UNIXTIME(t DIV 1000), '%Y-%m-%d')
       FROM (SELECT seq, ${startMs} + seq * ${spacing} AS t FROM seq_${from}_to_${to}) AS s`,
      [route],
    )
    // Slot j of 5: before the current step c, step j approved; from c on, member j−c of step c, pending.
    await sql.query(
      `INSERT INTO approval_tasks (id, request_id, step, approver_id, status, comment, decided_at, created_at, round, delegated_from, auto_reason, remind_at, reminded_at, due_at)
       SELECT CONCAT('00000000-0000-4000-9', j, '00-', LPAD(seq, 12, '0')), request_id, step, ${approverSql('seq', 'step', 'member')},
         IF(open, 'pending', IF(request_status = 'rejected' AND j = 4, 'rejected', IF(request_status = 'withdrawn' AND j = 4, 'cancelled', 'approved'))),
         NULL, IF(open, NULL, request_at + (step + 1) * 3600000), request_at + step * 3600000, 0, NULL, NULL, NULL, NULL, NULL
       FROM (SELECT r.id AS request_id, r.status AS request_status, r.created_at AS request_at, s.seq, j.seq AS j,
               r.status = 'pending' AND j.seq >= r.current_step AS open,
               IF(r.status = 'pending' AND j.seq >= r.current_step, r.current_step, j.seq) AS step,
               IF(r.status = 'pending' AND j.seq >= r.current_step, j.seq - r.current_step, 0) AS member
             FROM seq_${from}_to_${to} AS s
             JOIN requests AS r ON r.id = CONCAT('00000000-0000-4000-8000-', LPAD(s.seq, 12, '0'))
             JOIN seq_0_to_4 AS j) AS x`,
    )
    await sql.query(
      `INSERT INTO outbox (id, request_id, action_kind, idempotency_key, payload, status, attempts, next_attempt_at, locked_until, last_error, document_no, created_at, updated_at)
       SELECT CONCAT('00000000-0000-4000-a000-', RIGHT(r.id, 12)), r.id, 'expense.voucher', r.request_no,
         CONCAT('{"kind":"expense.voucher","requestNo":"', r.request_no, '","amountFen":', r.amount_fen, ',"lines":[{"account":"6602","debitFen":', r.amount_fen, '},{"account":"2241","creditFen":', r.amount_fen, '}]}'),
         'posted', 1, r.finished_at, NULL, NULL, CONCAT('JZ-', RIGHT(r.id, 8)), r.finished_at, r.finished_at
       FROM requests AS r WHERE r.id BETWEEN CONCAT('00000000-0000-4000-8000-', LPAD(${from}, 12, '0')) AND CONCAT('00000000-0000-4000-8000-', LPAD(${to}, 12, '0'))
         AND r.status = 'approved'`,
    )
    log(`  seeded requests ${from}–${to} (${took()})`)
  }
  await sql.query('ANALYZE TABLE requests, approval_tasks, outbox, users, departments')
  log(`  seeded and analysed in ${took()}`)
}
