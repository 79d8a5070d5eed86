import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { MIGRATIONS } from '../../db/migrate.js'
import { type WorkerEnv } from '../../server/worker.js'

const workerEnv = env as WorkerEnv
const BACKUP_TOKEN = 'workers-test-backup-token-0123456789abcdef'

/** GET /backup inside workerd: the Durable Object's own SQLite, dumped to a file an operator can keep. */
describe('GET /backup on Workers', () => {
  const app = workerEnv.APP.get(workerEnv.APP.idFromName('backup-export'))
  const call = (path: string, init: RequestInit = {}) => app.fetch(new Request(`https://approvals.example${path}`, init))
  const post = async (path: string, body: unknown) => {
    const response = await call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    expect(response.status).toBe(200)
    return response.json() as Promise<{ messages?: { card?: { id: string; actions: { id: string }[] } }[]; message?: string }>
  }

  it('exports the object database, tables and rows, behind BACKUP_TOKEN', async () => {
    // A claim typed in the simulator and confirmed: a request row to find in the dump.
    const { messages } = await post('/api/dev/messages', { userId: 'zhangsan', text: '提交本月差旅费 800元' })
    const confirm = messages?.find((m) => m.card?.actions.some((a) => a.id === 'confirm'))?.card
    expect(confirm).toBeDefined()
    const { message } = await post(`/api/dev/cards/${confirm!.id}/actions/confirm`, { userId: 'zhangsan' })
    const requestNo = /BX-\d{6}-\d{4}/.exec(message ?? '')?.[0]
    expect(requestNo).toBeDefined()

    expect((await call('/backup')).status).toBe(401)
    const response = await call('/backup', { headers: { authorization: `Bearer ${BACKUP_TOKEN}` } })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/gzip')
    const text = await new Response(response.body!.pipeThrough(new DecompressionStream('gzip'))).text()
    const lines = text.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown)
    expect(lines[0]).toMatchObject({ format: 'approval-bridge-dump', dialect: 'sqlite', migrations: Object.keys(MIGRATIONS).sort() })

    const rowsOf = (table: string) => {
      const start = lines.findIndex((l) => typeof l === 'object' && l !== null && (l as { table?: string }).table === table)
      const columns = (lines[start] as { columns: string[] }).columns
      const rows: Record<string, unknown>[] = []
      for (const line of lines.slice(start + 1)) {
        if (!Array.isArray(line)) break
        rows.push(Object.fromEntries(columns.map((column, i) => [column, line[i]])))
      }
      return rows
    }
    expect(rowsOf('requests').map((r) => r.request_no)).toEqual([requestNo])
    expect(rowsOf('users').length).toBeGreaterThan(0)
    const tables = lines.filter((l) => typeof l === 'object' && l !== null && 'table' in l).length
    expect(lines.at(-1)).toEqual({ end: { tables, rows: lines.filter(Array.isArray).length } })
  })
})
