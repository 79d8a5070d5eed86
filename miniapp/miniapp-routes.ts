import { Hono } from 'hono'

/** The admin H5 app. This release ships its landing page; configuration pages follow. */
export function miniappRoutes(): Hono {
  const app = new Hono()
  app.get('/miniapp', (c) =>
    c.html(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>审批助手 · 管理后台</title><style>body{font-family:system-ui,sans-serif;margin:0;padding:24px;color:#1f2329;background:#f5f6f7}
main{max-width:480px;margin:auto;background:#fff;border-radius:12px;padding:24px;box-shadow:0 1px 4px #0001}h1{font-size:20px}a{color:#3370ff}</style></head>
<body><main><h1>审批助手 · 管理后台</h1><p>流程模板、主数据映射、ERP 连接和审计日志的配置页面正在建设中。</p>
<p>Admin pages (flows, master data, ERP connection, audit log) are coming next.</p><p><a href="/dev">打开聊天模拟器 / Open the chat simulator</a></p></main></body></html>`),
  )
  return app
}
