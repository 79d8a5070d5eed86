import { zValidator } from '@hono/zod-validator'
import { Hono, type Context } from 'hono'
import { csrf } from 'hono/csrf'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import type { Schema } from '../../db/schema.js'
import { inTransaction } from '../../db/transaction.js'
import { appendAudit } from '../../workflow/audit.js'
import { LOGIN_PLATFORMS, type PlatformLogins } from './platform-login.js'
import { requireRole } from './require-role.js'
import { homeFor } from '../ui/nav.js'
import { ROLE_LABELS, adminRolesOf } from './roles.js'
import type { SessionCookies } from './session-cookie.js'
import { viewerOf, type AdminEnv } from './viewer.js'

export interface AuthRouteOptions {
  db: Kysely<Schema>
  sessions: SessionCookies
  now: () => number
  devMode: boolean
  platformLogins: PlatformLogins
  log?: (message: string) => void
}

const devLoginBody = z.object({ userId: z.string().min(1).max(64) })
const codeBody = z.object({ code: z.string().min(1).max(512) })

const invalid = (result: { success: boolean }, c: Context) => {
  if (!result.success) return c.json({ ok: false, code: 'VALIDATION', message: '请求格式不正确 / invalid request' }, 400)
}

/** Sign-in and sign-out: the dev picker (dev mode only) and the platforms' H5 auth codes. */
export function authRoutes(options: AuthRouteOptions): Hono<AdminEnv> {
  const { db, sessions, now } = options
  const app = new Hono<AdminEnv>()
  // Logins happen before there is a session (and so a CSRF token): refuse cross-site posts by origin.
  // JSON bodies are required too, which a cross-site form cannot send without a CORS preflight.
  app.use('/api/admin/auth/*', csrf())

  const startSession = async (c: Context<AdminEnv>, userId: string, method: string) => {
    const row = await db.selectFrom('users').select(['id', 'name', 'roles']).where('id', '=', userId).where('active', '=', 1).executeTakeFirst()
    if (!row) return c.json({ ok: false, code: 'UNKNOWN_USER', message: '员工名录中没有你，或账号已停用 / you are not an active employee here' }, 403)
    await sessions.issue(c, row.id)
    await inTransaction(db, (trx) => appendAudit(trx, { at: now(), actorId: row.id, action: 'admin.login', entityType: 'user', entityId: row.id, after: { method } }))
    const roles = adminRolesOf(JSON.parse(row.roles) as string[])
    return c.json({ ok: true, user: { id: row.id, name: row.name, roles }, home: homeFor(roles) })
  }

  app.get('/api/admin/auth/options', async (c) => {
    const platforms = LOGIN_PLATFORMS.filter((p) => options.platformLogins[p])
    if (!options.devMode) return c.json({ devMode: false, platforms, users: [] })
    const rows = await db
      .selectFrom('users')
      .leftJoin('departments', 'departments.id', 'users.department_id')
      .select(['users.id', 'users.name', 'users.title', 'users.roles', 'departments.name as department'])
      .where('users.active', '=', 1)
      .orderBy('users.employee_no')
      .execute()
    const users = rows.map((r) => ({ id: r.id, name: r.name, title: r.title, department: r.department, roles: adminRolesOf(JSON.parse(r.roles) as string[]) }))
    return c.json({ devMode: true, platforms, users, roleLabels: ROLE_LABELS })
  })

  if (options.devMode) {
    app.post('/api/admin/auth/dev-login', zValidator('json', devLoginBody, invalid), async (c) => startSession(c, c.req.valid('json').userId, 'dev'))
  }

  for (const platform of LOGIN_PLATFORMS) {
    app.post(`/api/admin/auth/${platform}`, zValidator('json', codeBody, invalid), async (c) => {
      const login = options.platformLogins[platform]
      if (!login) return c.json({ ok: false, code: 'PLATFORM_DISABLED', message: `未配置该平台 / ${platform} is not configured` }, 404)
      let userId: string | null
      try {
        userId = await login.exchangeCode(c.req.valid('json').code)
      } catch (error) {
        options.log?.(`${platform} login code exchange failed: ${(error as Error).message}`)
        // The platform modules' errors carry a bilingual sentence (zh/en); anything else gets a generic one.
        const { zh, en, reason } = error as { zh?: unknown; en?: unknown; reason?: unknown }
        // A bad, used or expired code (a replay, a forgery) is refused; only the platform failing is a 502.
        if (reason === 'bad_code') return c.json({ ok: false, code: 'BAD_LOGIN_CODE', message: typeof zh === 'string' && typeof en === 'string' ? `${zh} / ${en}` : (error as Error).message }, 401)
        const message = typeof zh === 'string' && typeof en === 'string' ? `${zh} / ${en}` : '登录失败，请关闭页面重新打开 / sign-in failed; reopen the app'
        return c.json({ ok: false, code: 'LOGIN_FAILED', message }, 502)
      }
      if (!userId) return c.json({ ok: false, code: 'UNKNOWN_USER', message: '员工名录中没有你，请联系管理员 / you are not in the employee master; ask an admin' }, 403)
      return startSession(c, userId, platform)
    })
  }

  app.post('/api/admin/auth/logout', requireRole('employee'), (c) => {
    sessions.clear(c)
    return c.json({ ok: true })
  })

  app.get('/api/admin/me', requireRole('employee'), (c) => {
    const viewer = viewerOf(c)
    return c.json({ id: viewer.id, name: viewer.name, employeeNo: viewer.employeeNo, departmentId: viewer.departmentId, roles: viewer.roles })
  })

  return app
}
