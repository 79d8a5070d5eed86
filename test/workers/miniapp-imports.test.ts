import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { xlsxWorkbook } from '../miniapp/xlsx-file.js'

/**
 * The mini-app's org tools inside workerd: an .xlsx import (the ZIP is inflated with
 * DecompressionStream, not node:zlib) and 从飞书同步通讯录 through the fetch transport to the fake
 * open platform, as an admin signed in with the dev login.
 */

const ORIGIN = 'https://approvals.example'

async function signIn(userId: string): Promise<(path: string, body: unknown) => Promise<Response>> {
  const login = await SELF.fetch(`${ORIGIN}/api/admin/auth/dev-login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN }, body: JSON.stringify({ userId }) })
  expect(login.status).toBe(200)
  const cookies = new Map(login.headers.getSetCookie().map((line) => line.split(';')[0]!.split('=') as [string, string]))
  const cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  return (path, body) =>
    SELF.fetch(`${ORIGIN}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN, cookie, 'x-csrf-token': decodeURIComponent(cookies.get('ab_csrf') ?? '') }, body: JSON.stringify(body) })
}

describe('mini-app org tools on Workers', () => {
  it('imports departments from an .xlsx', async () => {
    const post = await signIn('admin')
    const xlsx = Buffer.from(xlsxWorkbook([['部门编号', '部门名称', '上级部门'], ['d-legal', '法务部', '总经办']])).toString('base64')
    const preview = await post('/api/admin/org/departments/import', { xlsx, dryRun: true })
    expect(await preview.json()).toMatchObject({ ok: true, created: 1, updated: 0 })
    const broken = await post('/api/admin/org/departments/import', { xlsx: xlsx.slice(0, 200), dryRun: true })
    expect(broken.status).toBe(400)
    expect(((await broken.json()) as { message: string }).message).toContain('不是有效的 XLSX')
  })

  it('syncs the Feishu directory through the fetch transport, and a second run changes nothing', async () => {
    const post = await signIn('admin')
    type Result = { ok: boolean; people: { added: number; updated: number; unchanged: number }; linked: number }
    const first = (await (await post('/api/admin/org/contact-sync/feishu', {})).json()) as Result
    expect(first.ok).toBe(true)
    expect(first.people.added + first.people.updated + first.people.unchanged).toBe(3)
    const again = (await (await post('/api/admin/org/contact-sync/feishu', {})).json()) as Result
    expect(again).toMatchObject({ people: { added: 0, updated: 0, unchanged: 3 }, linked: 0 })
  })
})
