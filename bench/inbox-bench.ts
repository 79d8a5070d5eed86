import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createConnection, type RowDataPacket } from 'mysql2/promise'
import { migrateToLatest } from '../db/migrate.js'
import { myPendingTasks, myRequests } from '../miniapp/my-work/my-work-data.js'
import { startDisposableMariadb } from '../test/reliability/disposable-mariadb.js'
import { INBOX_SCALE, seedInbox, type InboxScale } from './inbox-seed.js'
import { percentile, round } from './percentiles.js'
import { explain, formatPlans, recordingDb } from './query-plans.js'

/**
 * "My pending approvals" and "my requests" (the mini-app's my-work queries, the real functions)
 * on MariaDB holding a million requests and five million tasks (bench/inbox-seed.ts), timed per
 * call over many different people, with the EXPLAIN of every statement they run. The server is a
 * disposable mariadbd with a 2 GB buffer pool (a production setting; the default 128 MB would
 * time the disk), never the machine's shared one. A full run's EXPLAINs go to bench/inbox-explain.txt.
 */
const SAMPLES = 1000
const explainFile = fileURLToPath(new URL('./inbox-explain.txt', import.meta.url))

interface Timed {
  p50: number
  p95: number
  p99: number
  max: number
}

function summary(sample: number[]): Timed {
  return { p50: round(percentile(sample, 50)), p95: round(percentile(sample, 95)), p99: round(percentile(sample, 99)), max: round(Math.max(...sample)) }
}

async function timeEach(people: string[], query: (userId: string) => Promise<unknown[]>): Promise<{ times: number[]; rows: number[] }> {
  for (const person of people.slice(0, 50)) await query(person)
  const times: number[] = []
  const rows: number[] = []
  for (const person of people) {
    const started = performance.now()
    const result = await query(person)
    times.push(performance.now() - started)
    rows.push(result.length)
  }
  return { times, rows }
}

export async function runInboxBench(scale: InboxScale = INBOX_SCALE): Promise<Record<string, number | string>> {
  const server = await startDisposableMariadb({ bufferPoolMb: 2048, extraArgs: ['--innodb-flush-log-at-trx-commit=0', '--innodb-log-file-size=1G'] })
  try {
    const url = await server.createDatabase('inbox')
    const recording = recordingDb(url)
    await migrateToLatest(recording.db)
    recording.statements.clear()
    const sql = await createConnection(url)
    const seedStarted = performance.now()
    await seedInbox(sql, scale, (line) => console.error(line))
    const seedSeconds = (performance.now() - seedStarted) / 1000
    const [[counts]] = await sql.query<RowDataPacket[]>(
      `SELECT (SELECT COUNT(*) FROM requests) AS requests, (SELECT COUNT(*) FROM approval_tasks) AS tasks,
         (SELECT COUNT(*) FROM approval_tasks WHERE status = 'pending') AS pending, (SELECT COUNT(*) FROM outbox) AS outbox`,
    )
    const [byApprover] = await sql.query<RowDataPacket[]>(`SELECT approver_id, COUNT(*) AS n FROM approval_tasks WHERE status = 'pending' GROUP BY approver_id ORDER BY n DESC`)
    await sql.end()

    const random = (n: number) => Math.floor(Math.random() * n)
    // Who opens "my pending approvals": people who hold at least one pending task.
    const approvers = Array.from({ length: SAMPLES }, () => String(byApprover[random(byApprover.length)]!.approver_id))
    const busiest = String(byApprover[0]!.approver_id)
    const requesters = Array.from({ length: SAMPLES }, () => `u${1 + random(scale.employees)}`)

    const pending = await timeEach(approvers, (id) => myPendingTasks(recording.db, id))
    const busiestRun = await timeEach(Array<string>(100).fill(busiest), (id) => myPendingTasks(recording.db, id))
    const mine = await timeEach(requesters, (id) => myRequests(recording.db, id))
    // The README quotes the plans at full scale; a quick run's small tables would overwrite them with other plans.
    if (scale === INBOX_SCALE) writeFileSync(explainFile, `${formatPlans(await explain(url, recording.statements.values()))}\n`)
    await recording.close()

    const p = summary(pending.times)
    const b = summary(busiestRun.times)
    const m = summary(mine.times)
    return {
      requests: Number(counts!.requests),
      tasks: Number(counts!.tasks),
      'pending tasks': Number(counts!.pending),
      'outbox rows': Number(counts!.outbox),
      'seeded in s': round(seedSeconds, 1),
      'my pending approvals p50 ms': p.p50,
      'my pending approvals p95 ms': p.p95,
      'my pending approvals p99 ms': p.p99,
      'my pending approvals rows (mean)': round(pending.rows.reduce((a, n) => a + n, 0) / pending.rows.length, 1),
      'busiest approver rows': busiestRun.rows[0]!,
      'busiest approver p95 ms': b.p95,
      'my requests p50 ms': m.p50,
      'my requests p95 ms': m.p95,
      'my requests p99 ms': m.p99,
      ...(scale === INBOX_SCALE ? { explain: 'bench/inbox-explain.txt' } : {}),
    }
  } finally {
    await server.destroy()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const requests = Number(process.argv[2] ?? INBOX_SCALE.requests)
  const figures = await runInboxBench({ ...INBOX_SCALE, requests })
  for (const [name, value] of Object.entries(figures)) console.log(`${name.padEnd(40)} ${value}`)
  process.exit(0)
}
