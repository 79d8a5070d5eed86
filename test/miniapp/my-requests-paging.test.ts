import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'
import { AdminClient, expectJson } from './admin-client.js'

/**
 * "My requests" for someone with 56 of them, on both databases: the page counts all 56 and pages
 * through them with 「更多」, the API with a `before` cursor; requests created in the same
 * millisecond are neither skipped nor repeated at a page boundary.
 */

type Row = { id: string; createdAt: number }

describe.each(DB_KINDS)('my requests, paged, on %s', (kind) => {
  let sys: TestSystem
  let zhangsan: AdminClient
  /** Every request of 张三's, newest first, ties by id. */
  let expected: string[]

  beforeAll(async () => {
    sys = await TestSystem.start(kind)
    zhangsan = await AdminClient.signIn(sys.app, 'zhangsan')
    const first = await sys.request(await sys.submitExpense('zhangsan', '提交本月差旅费 3500元'))
    // 55 more, four to a millisecond; across milliseconds the ids run against the time order, so
    // neither the time nor the id alone gives the order.
    const copies = Array.from({ length: 55 }, (_, i) => ({
      ...first,
      id: `r-${String(i).padStart(3, '0')}`,
      request_no: `BX-209901-${String(i).padStart(4, '0')}`,
      status: 'approved',
      created_at: Number(first.created_at) - 1000 - Math.floor(i / 4),
    }))
    await sys.database.db.insertInto('requests').values(copies).execute()
    expected = [first, ...copies]
      .map((r) => ({ id: r.id, createdAt: Number(r.created_at) }))
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
      .map((r) => r.id)
  })
  afterAll(async () => sys?.close())

  it('the API pages with a before cursor (createdAt:id of the last row), each request once, in a stable order', async () => {
    expect(await expectJson<Row[]>(zhangsan.get('/api/admin/my/requests'))).toHaveLength(50)
    const seen: string[] = []
    let before = ''
    for (let pages = 0; pages < 20; pages++) {
      const rows = await expectJson<Row[]>(zhangsan.get(`/api/admin/my/requests?limit=7${before}`))
      seen.push(...rows.map((r) => r.id))
      if (rows.length < 7) break
      before = `&before=${encodeURIComponent(`${rows.at(-1)!.createdAt}:${rows.at(-1)!.id}`)}`
    }
    expect(seen).toEqual(expected)
    await expectJson(zhangsan.get('/api/admin/my/requests?before=yesterday'), 400)
  })

  it('the page counts all 56 and shows the rest behind 「更多」', async () => {
    const page = await (await zhangsan.get('/miniapp/my')).text()
    expect(page).toContain('我的申请 56')
    expect(page).toContain('共 56 条')
    const listed = (html: string) => [...html.matchAll(/<li data-request-no="([^"]*)"/g)].map((m) => m[1])
    expect(listed(page)).toHaveLength(50)
    const more = /<a class="btn small" id="my-requests-more" href="([^"]+)">更多 More<\/a>/.exec(page)
    expect(more).not.toBeNull()

    const next = await (await zhangsan.get(more![1]!.replace(/&amp;/g, '&'))).text()
    expect(next).toContain('我的申请 56')
    expect([...listed(page), ...listed(next)]).toHaveLength(56)
    expect(new Set([...listed(page), ...listed(next)]).size).toBe(56)
    expect(next).not.toContain('id="my-requests-more"')
  })
})
