import { Hono } from 'hono'
import type { System } from '../server/compose.js'
import type { AdminAccess } from './auth/admin-access.js'
import type { AdminEnv } from './auth/viewer.js'
import { auditApi } from './audit/audit-api.js'
import { myWorkApi } from './my-work/my-work-api.js'
import { orgApi } from './org/org-api.js'

/**
 * The admin H5 app: sign-in, /api/admin/* and the pages at /miniapp. The session middleware
 * (access.session) is mounted by the app in front of all of it; every API route has its requireRole().
 */
export function miniappRoutes(system: System, access: AdminAccess): Hono<AdminEnv> {
  const { services } = system
  const app = new Hono<AdminEnv>()
  app.route('/', access.routes())
  app.route('/', myWorkApi(services))
  app.route('/', auditApi(services.db, services.now))
  app.route('/', orgApi(services.db))
  app.get('/miniapp', (c) =>
    c.html(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>审批助手 · 管理后台</title><style>body{font-family:system-ui,sans-serif;margin:0;padding:24px;color:#1f2329;background:#f5f6f7}
main{max-width:480px;margin:auto;background:#fff;border-radius:12px;padding:24px;box-shadow:0 1px 4px #0001}h1{font-size:20px}a{color:#3370ff}</style></head>
<body><main><h1>审批助手 · 管理后台</h1><p>流程模板、主数据映射、ERP 连接和审计日志的配置页面正在建设中。</p>
<p>Admin pages (flows, master data, ERP connection, audit log) are coming next.</p><p><a href="/dev">打开聊天模拟器 / Open the chat simulator</a></p></main></body></html>`),
  )
  return app
}
