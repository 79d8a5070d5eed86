/** The mini-app's one stylesheet, served as /miniapp/assets/app.css (cached). Phone first; a sidebar from 900 px. */
export const APP_CSS = `
:root {
  --bg: #f2f3f5; --panel: #fff; --line: #e5e6eb; --text: #1f2329; --muted: #646a73; --faint: #8f959e;
  --brand: #3370ff; --brand-weak: #e1eaff; --green: #2ea121; --green-weak: #e8f5e6; --red: #f54a45; --red-weak: #fdecea;
  --orange: #ff8800; --orange-weak: #fff3e0; --grey-weak: #f2f3f5; --radius: 12px;
  font-family: -apple-system, BlinkMacSystemFont, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei",
    "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  font-size: 15px; line-height: 1.5; color: var(--text); background: var(--bg); -webkit-text-size-adjust: 100%;
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html, body { margin: 0; }
body { min-height: 100vh; }
a { color: var(--brand); text-decoration: none; }
button, input, select, textarea { font: inherit; color: inherit; }
button { cursor: pointer; }
h1, h2, h3 { margin: 0; font-weight: 650; }
h1 { font-size: 18px; } h2 { font-size: 16px; } h3 { font-size: 15px; }
.en { color: var(--faint); font-weight: 400; font-size: .82em; margin-left: 4px; }
.muted { color: var(--muted); } .faint { color: var(--faint); font-size: 13px; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; letter-spacing: .01em; }
.num { font-variant-numeric: tabular-nums; text-align: right; white-space: nowrap; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

.topbar { position: sticky; top: 0; z-index: 20; background: var(--panel); border-bottom: 1px solid var(--line);
  padding: calc(10px + env(safe-area-inset-top)) 16px 0; }
.topbar-row { display: flex; align-items: center; gap: 10px; min-height: 36px; }
.brand { display: flex; align-items: center; gap: 8px; font-weight: 650; font-size: 16px; color: var(--text); }
.logo { width: 26px; height: 26px; border-radius: 8px; background: linear-gradient(135deg, #3370ff, #5b8cff); color: #fff;
  display: grid; place-items: center; font-size: 14px; font-weight: 700; }
.who { margin-left: auto; display: flex; align-items: center; gap: 8px; min-width: 0; }
.who-name { font-size: 14px; font-weight: 600; white-space: nowrap; }
.who-role { font-size: 11px; color: var(--brand); background: var(--brand-weak); border-radius: 9px; padding: 0 7px; white-space: nowrap; }
.linkish { border: 0; background: none; color: var(--muted); font-size: 13px; padding: 4px; }
.nav { display: flex; gap: 4px; overflow-x: auto; scrollbar-width: none; margin: 8px -16px 0; padding: 0 12px; }
.nav::-webkit-scrollbar { display: none; }
.nav.more-right { -webkit-mask-image: linear-gradient(to right, #000 calc(100% - 32px), transparent); mask-image: linear-gradient(to right, #000 calc(100% - 32px), transparent); }
.nav a { flex: none; padding: 8px 10px 9px; color: var(--muted); font-size: 14px; border-bottom: 2px solid transparent; white-space: nowrap; }
.nav a[aria-current="page"] { color: var(--brand); border-bottom-color: var(--brand); font-weight: 600; }

.content { padding: 14px 12px 40px; max-width: 1100px; margin: 0 auto; display: flex; flex-direction: column; gap: 12px; }
.page-head { display: flex; align-items: flex-end; justify-content: space-between; gap: 8px; flex-wrap: wrap; padding: 2px 4px; }
.page-head p { margin: 2px 0 0; }
.panel { background: var(--panel); border-radius: var(--radius); padding: 14px; box-shadow: 0 1px 2px rgba(31,35,41,.04); min-width: 0; }
.panel > h2, .panel-head { margin-bottom: 10px; }
.panel-head { display: flex; align-items: center; justify-content: space-between; gap: 8px; flex-wrap: wrap; }
.panel-head h2 { margin: 0; }
.grid { display: grid; gap: 12px; grid-template-columns: minmax(0, 1fr); }

.kpis { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 10px; }
.kpi { background: var(--panel); border-radius: var(--radius); padding: 12px 14px; }
.kpi-label { font-size: 12px; color: var(--muted); }
.kpi-value { font-size: 24px; font-weight: 700; font-variant-numeric: tabular-nums; line-height: 1.25; margin-top: 2px; }
.kpi-value small { font-size: 13px; font-weight: 500; color: var(--muted); margin-left: 2px; }
.kpi.warn .kpi-value { color: var(--red); }
.kpi.good .kpi-value { color: var(--green); }

.list { list-style: none; margin: 0; padding: 0; }
.list > li { padding: 11px 0; border-top: 1px solid var(--line); display: flex; gap: 10px; align-items: flex-start; }
.list > li:first-child { border-top: 0; padding-top: 2px; }
.item-main { flex: 1; min-width: 0; }
.item-title { font-weight: 600; word-break: break-word; }
.item-sub { color: var(--muted); font-size: 13px; word-break: break-word; }
.item-side { text-align: right; flex: none; display: flex; flex-direction: column; align-items: flex-end; gap: 4px; }
.amount { font-weight: 650; font-variant-numeric: tabular-nums; white-space: nowrap; }

.badge { display: inline-block; font-size: 12px; line-height: 20px; padding: 0 8px; border-radius: 10px; white-space: nowrap;
  background: var(--grey-weak); color: var(--muted); font-weight: 500; }
.badge.blue { background: var(--brand-weak); color: #1d4fd1; }
.badge.green { background: var(--green-weak); color: #237b19; }
.badge.red { background: var(--red-weak); color: #a8231f; }
.badge.orange { background: var(--orange-weak); color: #b35c00; }

.btn { display: inline-flex; align-items: center; justify-content: center; gap: 6px; border: 1px solid var(--line); background: var(--panel);
  border-radius: 8px; padding: 6px 14px; min-height: 36px; font-size: 14px; color: var(--text); white-space: nowrap; }
.btn.primary { background: var(--brand); border-color: var(--brand); color: #fff; }
.btn.danger { color: var(--red); border-color: #fbc4c2; }
.btn.small { min-height: 30px; padding: 3px 10px; font-size: 13px; }
.btn[disabled] { opacity: .55; cursor: default; }
.btn-row { display: flex; gap: 8px; flex-wrap: wrap; }

.field { display: flex; flex-direction: column; gap: 4px; min-width: 0; }
.field > span { font-size: 12px; color: var(--muted); }
fieldset.field { border: 0; margin: 0; padding: 0; }
fieldset.field > legend { font-size: 12px; color: var(--muted); padding: 0; margin-bottom: 4px; }
.check { display: flex; flex-direction: row; align-items: center; gap: 6px; min-height: 32px; }
fieldset.choices { display: flex; flex-direction: row; flex-wrap: wrap; gap: 0 14px; }
fieldset.choices > legend { width: 100%; }
.flag-list { margin: 4px 0 0; padding-left: 0; list-style: none; }
/* The marker is drawn, not the 🚩 emoji the chat cards use: a webview or desktop without an emoji font shows a box. */
.flag-list li { font-size: 13px; color: #b35c00; margin: 2px 0; position: relative; padding-left: 20px; }
.flag-list li::before { content: "!"; position: absolute; left: 0; top: 2px; width: 15px; height: 15px; border-radius: 50%;
  background: var(--orange); color: #fff; font-size: 11px; font-weight: 700; line-height: 15px; text-align: center; }
input[type=text], input[type=url], input[type=email], input[type=tel], input[type=date], input[type=search], input[type=number], input[type=password], select, textarea {
  width: 100%; border: 1px solid var(--line); border-radius: 8px; padding: 7px 10px; background: #fff; min-height: 36px; font-size: 14px; }
textarea { resize: vertical; min-height: 60px; }
input:focus, select:focus, textarea:focus { outline: 2px solid var(--brand-weak); border-color: var(--brand); }
.filters { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; align-items: end; }
.filters .wide { grid-column: 1 / -1; }

.table-wrap { overflow-x: auto; margin: 0 -14px; padding: 0 14px; }
table.data { width: 100%; border-collapse: collapse; font-size: 13px; }
table.data th { text-align: left; font-weight: 500; color: var(--muted); padding: 6px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
table.data td { padding: 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
table.data tr.missing td { background: #fff7e8; }
.mapping-fields { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; align-items: center; }
.mapping-fields input[type=text] { flex: 1 1 8.5em; width: auto; min-width: 0; }
.mapping-fields.stacked { flex-direction: column; align-items: stretch; margin-top: 0; }
.mapping-fields.stacked input[type=text] { flex: none; width: 100%; }
table.mapping-table td:first-child { padding-top: 14px; }
table.mapping-table td:nth-child(2) { width: 100%; }
table.limits { table-layout: fixed; }
table.limits th { white-space: normal; font-size: 12px; padding: 4px; }
table.limits td { padding: 3px 4px; border-bottom: 0; }
table.limits input { width: 100%; min-width: 0; padding-left: 6px; padding-right: 4px; }

.timeline { list-style: none; margin: 0; padding: 0 0 0 4px; }
.timeline li { position: relative; padding: 0 0 14px 20px; border-left: 2px solid var(--line); }
.timeline li:last-child { border-left-color: transparent; padding-bottom: 0; }
.timeline li::before { content: ""; position: absolute; left: -7px; top: 3px; width: 12px; height: 12px; border-radius: 50%; background: #c9cdd4; border: 2px solid #fff; }
.timeline li.done::before { background: var(--green); }
.timeline li.now::before { background: var(--brand); box-shadow: 0 0 0 3px var(--brand-weak); }
.timeline li.bad::before { background: var(--red); }
.timeline .when { color: var(--faint); font-size: 12px; }

.task { border: 1px solid var(--line); border-radius: 10px; padding: 12px; display: flex; flex-direction: column; gap: 8px; }
.task + .task { margin-top: 10px; }
.task-head { display: flex; justify-content: space-between; gap: 8px; align-items: flex-start; }
.chart { width: 100%; min-height: 200px; }
.chart .uplot { font-family: inherit; }
.chart .u-legend { font-size: 12px; color: var(--muted); }
.chart .u-legend th { font-weight: 500; }
.chart .u-legend .u-marker { width: .8em; height: .8em; border-radius: 2px; }
.chart-legend { display: flex; flex-wrap: wrap; gap: 4px 12px; font-size: 12px; color: var(--muted); margin-top: 6px; }
.bars { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
.bars li { display: grid; grid-template-columns: 6.5em minmax(0, 1fr) 2.5em; gap: 8px; align-items: center; font-size: 13px; }
.bar { height: 10px; border-radius: 5px; background: var(--brand-weak); overflow: hidden; }
.bar > i { display: block; height: 100%; background: var(--brand); border-radius: 5px; }
.bar.red > i { background: var(--red); }
.empty { text-align: center; color: var(--faint); padding: 18px 8px; font-size: 14px; }
.notice { border-radius: 10px; padding: 10px 12px; font-size: 13px; background: var(--brand-weak); color: #1d4fd1; }
.notice.warn { background: var(--orange-weak); color: #8a4a00; }
.kv { display: grid; grid-template-columns: 6.5em minmax(0, 1fr); gap: 6px 10px; font-size: 14px; margin: 0; }
.kv dt { color: var(--muted); } .kv dd { margin: 0; word-break: break-word; }
pre.json { margin: 4px 0 0; padding: 8px; background: #f7f8fa; border-radius: 8px; font-size: 12px; white-space: pre-wrap; word-break: break-all; max-height: 180px; overflow: auto; }
details > summary { cursor: pointer; color: var(--brand); font-size: 13px; }

.flow { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; align-items: stretch; }
.flow-node { border: 1px solid var(--line); border-left: 4px solid var(--brand); border-radius: 10px; padding: 10px 12px; background: #fff; }
.flow-node.start { border-left-color: var(--green); } .flow-node.end { border-left-color: var(--faint); }
.flow-arrow { align-self: center; width: 2px; height: 18px; background: #c9cdd4; position: relative; }
.flow-arrow::after { content: ""; position: absolute; left: -4px; bottom: -2px; border: 5px solid transparent; border-top-color: #c9cdd4; }

.flow .flow-add { display: flex; flex-direction: column; align-items: center; gap: 4px; padding: 2px 0; }
.flow .add-node { min-height: 26px; width: 26px; padding: 0; border-radius: 50%; color: var(--brand); font-weight: 700; }
.flow .add-menu { justify-content: center; }
.flow-node.cc { border-left-color: var(--green); }
.flow-node[data-kind="condition"] { border-left-color: var(--orange); }
.flow-node[data-kind="end"] { border-left-color: var(--faint); }
.flow-node .btn-row { margin-top: 6px; }
.branch { margin-top: 10px; padding: 8px; border: 1px dashed #c9cdd4; border-radius: 10px; background: #fafbfc; }
.node-editor { margin-top: 10px; padding-top: 10px; border-top: 1px solid var(--line); }
.source-row { margin-bottom: 6px; }
.source-row select, .source-row input { width: auto; flex: 1 1 8em; }
.login { max-width: 420px; margin: 0 auto; padding: calc(28px + env(safe-area-inset-top)) 16px 40px; display: flex; flex-direction: column; gap: 14px; }
.login-hero { text-align: center; padding: 10px 0 4px; }
.login-hero .logo { width: 52px; height: 52px; border-radius: 14px; font-size: 26px; margin: 0 auto 10px; }
.people { list-style: none; margin: 0; padding: 0; }
.people button { width: 100%; display: flex; align-items: center; gap: 10px; text-align: left; border: 0; background: none; padding: 10px 4px; border-top: 1px solid var(--line); }
.people li:first-child button { border-top: 0; }
.avatar { width: 36px; height: 36px; border-radius: 50%; background: var(--brand-weak); color: var(--brand); display: grid; place-items: center; font-weight: 650; flex: none; }
.avatar.admin { background: #ffe8d9; color: #c04b00; } .avatar.finance { background: var(--green-weak); color: #237b19; } .avatar.auditor { background: #f1e8ff; color: #6a2fd1; }

.toasts { position: fixed; z-index: 50; left: 50%; top: calc(70px + env(safe-area-inset-top)); transform: translateX(-50%); display: flex; flex-direction: column; align-items: center; gap: 6px; width: min(92vw, 420px); pointer-events: none; }
.toast { pointer-events: auto; max-width: 100%; padding: 8px 14px; border-radius: 18px; background: rgba(31,35,41,.92); color: #fff; font-size: 13px; box-shadow: 0 6px 20px rgba(0,0,0,.18); word-break: break-word; }
.toast.error { background: #d83931; }

@media (min-width: 600px) {
  .kpis { grid-template-columns: repeat(4, minmax(0, 1fr)); }
  .filters { grid-template-columns: repeat(4, minmax(0, 1fr)); }
  .grid.two { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .content { padding: 18px 20px 48px; }
}
@media (min-width: 900px) {
  body.has-nav { padding-left: 208px; }
  .topbar .nav.more-right { -webkit-mask-image: none; mask-image: none; }
  .topbar .nav { position: fixed; left: 0; top: 0; bottom: 0; width: 208px; margin: 0; padding: 64px 10px 10px; flex-direction: column; background: var(--panel); border-right: 1px solid var(--line); }
  .nav a { border-bottom: 0; border-radius: 8px; padding: 9px 12px; }
  .nav a[aria-current="page"] { background: var(--brand-weak); }
  .topbar { padding-left: 24px; }
  .topbar .brand { position: fixed; left: 18px; top: 18px; z-index: 21; }
  .topbar-row { padding-left: 0; }
}
`
