/**
 * The built-in chat simulator served at GET /dev: one self-contained HTML document
 * (inline CSS + vanilla JS, no CDN, no build step) over the /api/dev/* simulator API.
 *
 * Every piece of server data reaches the DOM through textContent / setAttribute, never innerHTML,
 * because card fields and chat text are user input. The embedded script is plain ES2020 with no
 * template literals or backslashes so it survives being inlined in this TypeScript template string.
 */
export function renderDevPage(): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="color-scheme" content="light">
<link rel="icon" href="data:,">
<title>审批助手 · 聊天模拟器 Chat simulator</title>
<style>${STYLE}</style>
</head>
<body>
${BODY}
<script>${SCRIPT}</script>
</body>
</html>
`
}

const STYLE = `
:root {
  --bg: #f2f3f5; --panel: #ffffff; --line: #e5e6eb; --text: #1f2329; --muted: #646a73; --faint: #8f959e;
  --brand: #3370ff; --brand-weak: #e1eaff; --mine: #3370ff; --radius: 12px;
  --tone-blue: #3370ff; --tone-green: #2ea121; --tone-red: #f54a45; --tone-orange: #f80; --tone-grey: #8f959e;
  font-family: -apple-system, BlinkMacSystemFont, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei",
    "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  font-size: 15px; line-height: 1.5; color: var(--text); background: var(--bg);
  -webkit-text-size-adjust: 100%;
}
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body { overflow: hidden; }
button, input, textarea { font: inherit; color: inherit; }
button { cursor: pointer; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

.app {
  display: grid; height: 100vh; height: 100dvh;
  grid-template-columns: minmax(0, 1fr); grid-template-rows: auto minmax(0, 1fr);
  grid-template-areas: "top" "main";
}
.topbar { grid-area: top; }
.chat, .ledger { grid-area: main; min-height: 0; }
.app:not(.show-ledger) .ledger { display: none; }
.app.show-ledger .chat { display: none; }

/* Sidebar: a drawer on phones, a column from 760 px. */
.sidebar {
  position: fixed; inset: 0 auto 0 0; width: min(86vw, 320px); z-index: 30;
  background: var(--panel); border-right: 1px solid var(--line);
  display: flex; flex-direction: column; transform: translateX(-102%); visibility: hidden;
  transition: transform .2s ease, visibility .2s;
}
.app.drawer-open .sidebar { transform: none; visibility: visible; box-shadow: 0 0 40px rgba(0,0,0,.18); }
.scrim { position: fixed; inset: 0; z-index: 20; background: rgba(0,0,0,.35); display: none; }
.app.drawer-open .scrim { display: block; }
.brand { padding: 16px 16px 10px; border-bottom: 1px solid var(--line); }
.brand h1 { margin: 0; font-size: 17px; font-weight: 650; }
.brand p { margin: 2px 0 0; color: var(--faint); font-size: 12px; }
.side-title { padding: 12px 16px 4px; font-size: 12px; color: var(--faint); letter-spacing: .02em; }
.user-list { list-style: none; margin: 0; padding: 4px 8px 16px; overflow-y: auto; flex: 1; }
.user-item {
  width: 100%; display: flex; gap: 10px; align-items: center; text-align: left;
  padding: 9px 10px; border: 0; border-radius: 10px; background: transparent;
}
.user-item:hover { background: #f5f6f7; }
.user-item[aria-current="true"] { background: var(--brand-weak); }
.user-meta { min-width: 0; flex: 1; }
.user-name { font-weight: 600; display: flex; gap: 6px; align-items: baseline; }
.user-name small { font-weight: 400; color: var(--faint); font-size: 12px; }
.user-sub { color: var(--muted); font-size: 12px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.role-tags { display: flex; gap: 4px; flex-wrap: wrap; margin-top: 3px; }
.role-tag { font-size: 11px; line-height: 18px; padding: 0 6px; border-radius: 4px; background: #eff0f1; color: var(--muted); }
.role-tag.finance, .role-tag.finance_manager { background: #fff3e0; color: #c25e00; }
.role-tag.manager, .role-tag.dept_head, .role-tag.ceo { background: #e8f5e6; color: #237b19; }
.role-tag.admin { background: #f0e8ff; color: #6a3fc2; }
.side-note { margin: 0 16px 16px; padding: 10px 12px; border-radius: 10px; background: #f5f6f7; color: var(--muted); font-size: 12px; }

.avatar {
  flex: none; width: 36px; height: 36px; border-radius: 50%; display: grid; place-items: center;
  color: #fff; font-size: 14px; font-weight: 600; background: var(--brand);
}
.avatar.small { width: 30px; height: 30px; font-size: 12px; }
.avatar.bot { background: linear-gradient(135deg, #3370ff, #7c5cff); }

/* Top bar */
.topbar {
  display: flex; align-items: center; gap: 8px; padding: 8px 10px;
  padding-top: max(8px, env(safe-area-inset-top));
  background: var(--panel); border-bottom: 1px solid var(--line); min-width: 0;
}
.me {
  display: flex; align-items: center; gap: 8px; min-width: 0; flex: 1;
  padding: 4px 8px 4px 4px; border: 0; border-radius: 10px; background: transparent; text-align: left;
}
.me:hover { background: #f5f6f7; }
.me-text { min-width: 0; }
.me-name { display: block; font-weight: 600; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.me-sub { display: block; font-size: 12px; color: var(--muted); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.me-caret { color: var(--faint); font-size: 12px; margin-left: 2px; }
.tabs { display: flex; flex: none; background: #eff0f1; border-radius: 9px; padding: 2px; }
.tab { border: 0; background: transparent; padding: 5px 10px; border-radius: 7px; font-size: 13px; color: var(--muted); white-space: nowrap; }
.tab[aria-selected="true"] { background: var(--panel); color: var(--text); font-weight: 600; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
.tab .count { display: inline-block; min-width: 16px; padding: 0 4px; margin-left: 3px; border-radius: 8px; background: var(--brand); color: #fff; font-size: 11px; line-height: 16px; text-align: center; }
.tab .count:empty { display: none; }

/* Chat */
.chat { display: flex; flex-direction: column; background: var(--bg); }
.banner { margin: 8px 10px 0; padding: 8px 12px; border-radius: 8px; background: #fdecea; color: #a8231f; font-size: 13px; }
.banner[hidden] { display: none; }
.transcript { flex: 1; overflow-y: auto; padding: 14px 10px 8px; overscroll-behavior: contain; scroll-behavior: auto; }
.messages, .pending { display: flex; flex-direction: column; gap: 12px; }
.pending:not(:empty) { margin-top: 12px; }
.empty { margin: 28px auto; max-width: 420px; text-align: center; color: var(--muted); font-size: 14px; }
.empty strong { display: block; color: var(--text); font-size: 16px; margin-bottom: 4px; }
.row { display: flex; gap: 8px; align-items: flex-start; max-width: 100%; }
.row.user { flex-direction: row-reverse; }
.stack { display: flex; flex-direction: column; gap: 6px; min-width: 0; max-width: min(82%, 560px); }
.row.user .stack { align-items: flex-end; }
.bubble {
  padding: 8px 12px; border-radius: 14px; background: var(--panel); white-space: pre-wrap; word-break: break-word;
  box-shadow: 0 1px 1px rgba(0,0,0,.04);
}
.row.bot .bubble { border-top-left-radius: 4px; }
.row.user .bubble { background: var(--mine); color: #fff; border-top-right-radius: 4px; }
.row.user.sending .bubble { opacity: .65; }
.row.user.failed .bubble { background: #fdecea; color: #a8231f; }
.time { font-size: 11px; color: var(--faint); padding: 0 4px; }
.typing .bubble { display: flex; gap: 4px; padding: 12px 14px; }
.typing .dot { width: 6px; height: 6px; border-radius: 50%; background: var(--faint); animation: blink 1.2s infinite ease-in-out; }
.typing .dot:nth-child(2) { animation-delay: .2s; }
.typing .dot:nth-child(3) { animation-delay: .4s; }
@keyframes blink { 0%, 80%, 100% { opacity: .25; } 40% { opacity: 1; } }

/* Cards */
.card {
  width: min(100%, 380px); min-width: min(260px, 100%); background: var(--panel); border-radius: var(--radius); overflow: hidden;
  box-shadow: 0 1px 3px rgba(0,0,0,.08), 0 0 0 1px rgba(0,0,0,.03);
}
.stack .card { width: 380px; max-width: 100%; }
.card.updated { animation: flash 1.6s ease-out; }
@keyframes flash { 0% { box-shadow: 0 0 0 3px rgba(51,112,255,.55); } 100% { box-shadow: 0 1px 3px rgba(0,0,0,.08), 0 0 0 1px rgba(0,0,0,.03); } }
.card-head { padding: 10px 14px; color: #fff; background: var(--tone-blue); }
.card.tone-green .card-head { background: var(--tone-green); }
.card.tone-red .card-head { background: var(--tone-red); }
.card.tone-orange .card-head { background: var(--tone-orange); }
.card.tone-grey .card-head { background: var(--tone-grey); }
.card-title-row { display: flex; flex-wrap: wrap; align-items: flex-start; justify-content: space-between; gap: 4px 8px; }
.card-title { font-weight: 650; font-size: 15px; word-break: break-word; }
.card-status { font-size: 12px; line-height: 18px; padding: 1px 8px; border-radius: 10px; background: rgba(255,255,255,.22); word-break: break-word; }
.card-no { margin-top: 2px; font-size: 12px; opacity: .92; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; letter-spacing: .02em; }
.card-body { padding: 10px 14px 12px; }
.fields { margin: 0; display: grid; grid-template-columns: auto minmax(0, 1fr); gap: 5px 12px; font-size: 14px; }
.fields dt { color: var(--muted); white-space: nowrap; }
.fields dd { margin: 0; word-break: break-word; white-space: pre-wrap; }
.notes { list-style: none; margin: 10px 0 0; padding: 8px 10px; border-radius: 8px; background: #f5f6f7; font-size: 13px; color: var(--muted); }
.notes li { white-space: pre-wrap; word-break: break-word; }
.notes li + li { margin-top: 3px; }
.card-actions { padding: 0 14px 14px; }
.comment { width: 100%; resize: vertical; min-height: 38px; padding: 8px 10px; border: 1px solid var(--line); border-radius: 8px; background: #fff; font-size: 14px; margin-bottom: 10px; }
.comment:focus { outline: none; border-color: var(--brand); box-shadow: 0 0 0 2px var(--brand-weak); }
.buttons { display: flex; flex-wrap: wrap; gap: 8px; }
.btn { flex: 1 1 auto; min-width: 84px; min-height: 36px; padding: 6px 14px; border-radius: 8px; border: 1px solid #d0d3d6; background: #fff; font-size: 14px; font-weight: 500; }
.btn:hover { background: #f5f6f7; }
.btn.primary { background: var(--brand); border-color: var(--brand); color: #fff; }
.btn.primary:hover { background: #2b63e5; }
.btn.danger { color: var(--tone-red); border-color: #fbc6c4; }
.btn.danger:hover { background: #fef1f1; }
.btn:disabled { opacity: .55; cursor: default; }
.btn.busy::after { content: "…"; }

/* Composer */
.composer { background: var(--panel); border-top: 1px solid var(--line); padding: 8px 10px; padding-bottom: max(8px, env(safe-area-inset-bottom)); }
.chips { display: flex; gap: 6px; overflow-x: auto; padding-bottom: 8px; scrollbar-width: none; }
.chips::-webkit-scrollbar { display: none; }
.chip { flex: none; border: 1px solid var(--line); background: #f7f8fa; border-radius: 16px; padding: 4px 12px; font-size: 13px; color: var(--text); white-space: nowrap; }
.chip:hover { border-color: var(--brand); color: var(--brand); }
.send-row { display: flex; gap: 8px; }
.input { flex: 1; min-width: 0; height: 40px; padding: 0 14px; border-radius: 20px; border: 1px solid var(--line); background: #f7f8fa; font-size: 15px; }
.input:focus { outline: none; border-color: var(--brand); background: #fff; }
.send { flex: none; height: 40px; padding: 0 18px; border-radius: 20px; border: 0; background: var(--brand); color: #fff; font-weight: 600; }
.send:disabled, .chip:disabled, .input:disabled { opacity: .5; cursor: default; }
.attach { flex: none; width: 40px; height: 40px; border-radius: 20px; border: 1px solid var(--line); background: #fff; font-size: 18px; display: grid; place-items: center; cursor: pointer; }
.attach:focus-within { outline: 2px solid var(--brand); }
.attach.disabled { opacity: .5; pointer-events: none; }

/* Ledger */
.ledger { display: flex; flex-direction: column; background: var(--panel); }
.ledger-head { display: flex; align-items: center; justify-content: space-between; gap: 8px; padding: 12px 14px; border-bottom: 1px solid var(--line); }
.ledger-head h2 { margin: 0; font-size: 15px; font-weight: 650; }
.ledger-head p { margin: 0; font-size: 12px; color: var(--faint); }
.icon-btn { flex: none; white-space: nowrap; border: 1px solid var(--line); background: #fff; border-radius: 8px; padding: 4px 10px; font-size: 13px; color: var(--muted); }
.icon-btn:hover { color: var(--brand); border-color: var(--brand); }
.vouchers { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 12px; background: var(--bg); }
.voucher { background: var(--panel); border-radius: 10px; border: 1px solid var(--line); overflow: hidden; }
.voucher-head { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 10px; padding: 10px 12px; border-bottom: 1px solid var(--line); }
.voucher-no { font-weight: 650; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.voucher-req { font-size: 12px; color: var(--muted); }
.badge { margin-left: auto; font-size: 12px; line-height: 20px; padding: 0 8px; border-radius: 10px; }
.badge.ok { background: #e8f5e6; color: #237b19; }
.badge.bad { background: #fdecea; color: #a8231f; }
.lines { width: 100%; border-collapse: collapse; font-size: 13px; }
.lines th, .lines td { padding: 7px 12px; text-align: left; border-bottom: 1px solid #f0f1f2; }
.lines th { font-weight: 500; color: var(--muted); font-size: 12px; background: #fafbfc; }
.lines .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.lines tfoot td { font-weight: 600; border-bottom: 0; background: #fafbfc; }
.lines td.account { word-break: break-word; }

/* Toasts */
.toasts { position: fixed; z-index: 50; left: 50%; top: calc(64px + env(safe-area-inset-top)); transform: translateX(-50%); display: flex; flex-direction: column; align-items: center; gap: 6px; width: min(92vw, 420px); pointer-events: none; }
.toast { pointer-events: auto; cursor: pointer; max-width: 100%; padding: 7px 14px; border-radius: 18px; background: rgba(31,35,41,.9); color: #fff; font-size: 13px; box-shadow: 0 6px 20px rgba(0,0,0,.18); white-space: pre-wrap; word-break: break-word; animation: toast-in .18s ease-out; }
.toast.error { background: #d83931; }
@keyframes toast-in { from { transform: translateY(-6px); opacity: 0; } to { transform: none; opacity: 1; } }

@media (min-width: 760px) {
  .app { grid-template-columns: 280px minmax(0, 1fr); grid-template-areas: "side top" "side main"; }
  .sidebar { position: static; grid-area: side; width: auto; transform: none; visibility: visible; transition: none; z-index: auto; }
  .scrim, .app.drawer-open .scrim { display: none; }
  .me-caret { display: none; }
  .me { cursor: default; }
  .me:hover { background: transparent; }
  .transcript { padding: 18px 24px 10px; }
  .composer { padding: 10px 24px 14px; }
}
@media (min-width: 1180px) {
  .app { grid-template-columns: 280px minmax(0, 1fr) 420px; grid-template-areas: "side top top" "side main ledger"; }
  .ledger { grid-area: ledger; border-left: 1px solid var(--line); }
  .app:not(.show-ledger) .ledger, .app.show-ledger .ledger { display: flex; }
  .app.show-ledger .chat { display: flex; }
  .tabs { display: none; }
}
`

const BODY = `<div class="app" id="app">
  <aside class="sidebar" id="sidebar" aria-label="演示用户 Demo users">
    <div class="brand">
      <h1>审批助手 · 模拟器</h1>
      <p>Approval bot chat simulator</p>
    </div>
    <div class="side-title">选择演示用户 · Pick a demo user</div>
    <ul class="user-list" id="user-list"></ul>
    <p class="side-note">切换用户即可扮演审批人：上级、财务会收到各自的审批卡片。<br>Switch users to act as the approver.</p>
  </aside>
  <div class="scrim" id="scrim"></div>

  <header class="topbar">
    <button class="me" id="me" type="button" aria-haspopup="true" aria-controls="sidebar">
      <span class="avatar small" id="me-avatar">?</span>
      <span class="me-text">
        <span class="me-name" id="me-name">选择用户 Pick a user</span>
        <span class="me-sub" id="me-sub">点此切换 Tap to switch</span>
      </span>
      <span class="me-caret" aria-hidden="true">▾</span>
    </button>
    <nav class="tabs" role="tablist" aria-label="视图 Views">
      <button class="tab" id="tab-chat" type="button" role="tab" aria-selected="true" aria-controls="chat">对话</button>
      <button class="tab" id="tab-ledger" type="button" role="tab" aria-selected="false" aria-controls="ledger">凭证<span class="count" id="voucher-count"></span></button>
    </nav>
  </header>

  <main class="chat" id="chat" aria-label="对话 Chat">
    <div class="banner" id="banner" role="alert" hidden></div>
    <div class="transcript" id="transcript" aria-live="polite">
      <div class="empty" id="empty"><strong>选择一位演示用户开始</strong>Pick a demo user to start chatting.</div>
      <div class="messages" id="messages"></div>
      <div class="pending" id="pending"></div>
    </div>
    <div class="composer">
      <div class="chips" id="chips" aria-label="快捷指令 Suggestions"></div>
      <form class="send-row" id="composer" autocomplete="off">
        <label class="attach" id="attach" title="发送发票或票据（PDF、XML、图片）· Send a receipt"><span aria-hidden="true">📎</span><span class="sr-only">附件 Attach a receipt</span><input id="file" type="file" accept=".pdf,.xml,.ofd,image/*" hidden></label>
        <label class="sr-only" for="input">消息 Message</label>
        <input class="input" id="input" type="text" enterkeyhint="send" placeholder="输入消息，回车发送">
        <button class="send" id="send" type="submit">发送</button>
      </form>
    </div>
  </main>

  <section class="ledger" id="ledger" aria-label="ERP 凭证 Vouchers">
    <div class="ledger-head">
      <div>
        <h2>ERP 凭证 · Vouchers</h2>
        <p>内置账簿：审批通过后由出账任务记账 · Built-in ledger</p>
      </div>
      <button class="icon-btn" id="ledger-refresh" type="button" title="刷新 Refresh">刷新</button>
    </div>
    <div class="vouchers" id="vouchers"></div>
  </section>
</div>
<div class="toasts" id="toasts" role="status" aria-live="polite"></div>`

const SCRIPT = `
(function () {
  'use strict';

  var STORAGE_KEY = 'devsim.userId';
  var POLL_MS = 1500;
  var LEDGER_POLL_MS = 3000;
  var SUGGESTIONS = ['提交本月差旅费 3500元', '我的报销到哪了', '待我审批的', '帮助'];
  var ROLE_LABELS = {
    employee: '员工', manager: '主管', dept_head: '部门负责人', finance: '财务', finance_manager: '财务经理',
    hr: '人事', ceo: '总经理', admin: '管理员'
  };
  var AVATAR_COLOURS = ['#3370ff', '#2ea121', '#f80', '#7c5cff', '#00a3a3', '#e0559a', '#5b8c00', '#d25f00'];

  var state = {
    users: [],
    userId: null,
    // Bumped on every user switch so responses for the previous user are dropped.
    generation: 0,
    rendered: new Map(),
    sending: 0,
    showLedger: false
  };
  var refreshChain = Promise.resolve();

  var $ = function (id) { return document.getElementById(id); };
  var el = {
    app: $('app'), userList: $('user-list'), scrim: $('scrim'), me: $('me'), meAvatar: $('me-avatar'),
    meName: $('me-name'), meSub: $('me-sub'), tabChat: $('tab-chat'), tabLedger: $('tab-ledger'),
    voucherCount: $('voucher-count'), banner: $('banner'), transcript: $('transcript'), empty: $('empty'),
    messages: $('messages'), pending: $('pending'), chips: $('chips'), form: $('composer'), input: $('input'),
    send: $('send'), attach: $('attach'), file: $('file'), vouchers: $('vouchers'), ledgerRefresh: $('ledger-refresh'), toasts: $('toasts')
  };

  // Builds DOM from data without ever parsing strings as HTML.
  function h(tag, props, children) {
    var node = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (key) {
        var value = props[key];
        if (value === undefined || value === null || value === false) return;
        if (key === 'className') node.className = value;
        else if (key === 'text') node.textContent = String(value);
        else if (key.slice(0, 2) === 'on') node.addEventListener(key.slice(2), value);
        else node.setAttribute(key, value === true ? '' : String(value));
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  async function api(method, path, body) {
    var init = { method: method, headers: { accept: 'application/json' } };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    var res = await fetch(path, init);
    var text = await res.text();
    var data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    return { ok: res.ok, status: res.status, data: data, text: text };
  }

  function errorText(res, fallback) {
    if (res.data && typeof res.data.message === 'string' && res.data.message) return res.data.message;
    if (res.data && typeof res.data.error === 'string' && res.data.error) return res.data.error;
    return fallback + ' (HTTP ' + res.status + ')';
  }

  function toast(message, isError) {
    var node = h('div', { className: 'toast' + (isError ? ' error' : ''), text: message, onclick: function () { node.remove(); } });
    el.toasts.appendChild(node);
    // Two at most: a stack of stale confirmations would hide the cards they talk about.
    while (el.toasts.children.length > 2) el.toasts.firstChild.remove();
    setTimeout(function () { node.remove(); }, isError ? 5000 : 2500);
  }

  function setBanner(message) {
    el.banner.hidden = !message;
    el.banner.textContent = message || '';
  }

  // ---- users ----

  function roleLabel(role) { return ROLE_LABELS[role] || role; }

  function userById(id) {
    for (var i = 0; i < state.users.length; i++) if (state.users[i].id === id) return state.users[i];
    return null;
  }

  function avatarFor(user, extraClass) {
    var name = (user && user.name) || '?';
    var hash = 0;
    var key = (user && user.id) || name;
    for (var i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) >>> 0;
    var node = h('span', { className: 'avatar' + (extraClass ? ' ' + extraClass : ''), 'aria-hidden': 'true', text: name.slice(-2) });
    node.style.background = AVATAR_COLOURS[hash % AVATAR_COLOURS.length];
    return node;
  }

  function userSubline(user) {
    var parts = [user.department];
    if (user.title) parts.push(user.title);
    var manager = user.managerId ? userById(user.managerId) : null;
    if (manager) parts.push('上级 ' + manager.name);
    return parts.filter(Boolean).join(' · ');
  }

  function renderUsers() {
    el.userList.replaceChildren();
    state.users.forEach(function (user) {
      var roles = (user.roles || []).map(function (role) {
        return h('span', { className: 'role-tag ' + role, text: roleLabel(role) });
      });
      var button = h('button', {
        className: 'user-item', type: 'button', 'data-user-id': user.id,
        'aria-current': user.id === state.userId ? 'true' : 'false',
        onclick: function () { selectUser(user.id); }
      }, [
        avatarFor(user),
        h('span', { className: 'user-meta' }, [
          h('span', { className: 'user-name' }, [user.name, h('small', { text: user.id })]),
          h('span', { className: 'user-sub', text: userSubline(user) }),
          h('span', { className: 'role-tags' }, roles)
        ])
      ]);
      el.userList.appendChild(h('li', null, [button]));
    });
  }

  function renderMe() {
    var user = userById(state.userId);
    var avatar = avatarFor(user, 'small');
    el.meAvatar.replaceWith(avatar);
    el.meAvatar = avatar;
    el.meName.textContent = user ? user.name : '选择用户 Pick a user';
    el.meSub.textContent = user
      ? [user.department].concat((user.roles || []).map(roleLabel)).filter(Boolean).join(' · ')
      : '点此切换 Tap to switch';
    var disabled = !user;
    el.input.disabled = disabled;
    el.send.disabled = disabled;
    el.file.disabled = disabled;
    el.attach.classList.toggle('disabled', disabled);
    Array.prototype.forEach.call(el.chips.children, function (chip) { chip.disabled = disabled; });
  }

  async function loadUsers() {
    try {
      var res = await api('GET', '/api/dev/users');
      if (!res.ok || !Array.isArray(res.data)) {
        setBanner(errorText(res, '无法加载演示用户 Could not load demo users'));
        return;
      }
      state.users = res.data;
      setBanner('');
      var saved = null;
      try { saved = localStorage.getItem(STORAGE_KEY); } catch (e) { saved = null; }
      if (saved && userById(saved)) selectUser(saved);
      else { renderUsers(); renderMe(); openDrawer(true); }
    } catch (e) {
      setBanner('无法连接模拟器接口，请确认服务已启动且 DEV_MODE=1 · Simulator API unreachable');
    }
  }

  function selectUser(id) {
    var changed = id !== state.userId;
    state.userId = id;
    try { localStorage.setItem(STORAGE_KEY, id); } catch (e) { /* private mode: choice just isn't remembered */ }
    renderUsers();
    renderMe();
    openDrawer(false);
    if (!changed) return;
    state.generation++;
    state.rendered.clear();
    el.toasts.replaceChildren(); // they were about the previous user's cards
    el.messages.replaceChildren();
    el.pending.replaceChildren();
    el.empty.hidden = true;
    refresh(true);
    if (window.matchMedia('(min-width: 760px)').matches) el.input.focus();
  }

  function openDrawer(open) { el.app.classList.toggle('drawer-open', open); }

  // ---- transcript ----

  function formatTime(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return '';
    var pad = function (n) { return (n < 10 ? '0' : '') + n; };
    var hm = pad(d.getHours()) + ':' + pad(d.getMinutes());
    var now = new Date();
    if (d.toDateString() === now.toDateString()) return hm;
    return (d.getMonth() + 1) + '月' + d.getDate() + '日 ' + hm;
  }

  function botAvatar() { return h('span', { className: 'avatar small bot', 'aria-hidden': 'true', text: '助' }); }

  function renderCard(card) {
    var head = h('div', { className: 'card-head' }, [
      h('div', { className: 'card-title-row' }, [
        h('span', { className: 'card-title', text: card.title }),
        card.status ? h('span', { className: 'card-status', text: card.status }) : null
      ]),
      card.requestNo ? h('div', { className: 'card-no', text: card.requestNo }) : null
    ]);

    var fields = (card.fields || []);
    var body = h('div', { className: 'card-body' }, [
      fields.length ? h('dl', { className: 'fields' }, fields.reduce(function (acc, f) {
        acc.push(h('dt', { text: f.label }), h('dd', { text: f.value }));
        return acc;
      }, [])) : null,
      (card.notes || []).length ? h('ul', { className: 'notes' }, card.notes.map(function (n) { return h('li', { text: n }); })) : null
    ]);

    var node = h('article', { className: 'card tone-' + (card.tone || 'blue'), 'data-card-id': card.id }, [head, body]);
    var actions = card.actions || [];
    if (actions.length) {
      var wantsComment = actions.some(function (a) { return a.withComment; });
      var comment = wantsComment ? h('textarea', {
        className: 'comment', rows: 1, 'data-comment-for': card.id,
        placeholder: '意见（可选）Comment', 'aria-label': '审批意见 Comment'
      }) : null;
      var buttons = actions.map(function (action) {
        return h('button', {
          className: 'btn ' + (action.style || 'default'), type: 'button', 'data-action-id': action.id, text: action.label,
          onclick: function (event) { act(card, action, node, comment, event.currentTarget); }
        });
      });
      node.appendChild(h('div', { className: 'card-actions' }, [comment, h('div', { className: 'buttons' }, buttons)]));
    }
    return node;
  }

  function renderItem(item) {
    var fromUser = item.from === 'user';
    var parts = [];
    if (item.text) parts.push(h('div', { className: 'bubble', text: item.text }));
    if (item.card) parts.push(renderCard(item.card));
    parts.push(h('span', { className: 'time', text: formatTime(item.at) }));
    return h('div', { className: 'row ' + (fromUser ? 'user' : 'bot'), 'data-item-id': item.id }, [
      fromUser ? null : botAvatar(),
      h('div', { className: 'stack' }, parts)
    ]);
  }

  function nearBottom() {
    var t = el.transcript;
    return t.scrollHeight - t.scrollTop - t.clientHeight < 120;
  }
  function scrollToBottom() { el.transcript.scrollTop = el.transcript.scrollHeight; }

  // Re-renders only items whose content changed, so a comment being typed into an
  // untouched card survives the poll and an updated card can be highlighted.
  function renderTranscript(items, forceScroll) {
    var stick = forceScroll || nearBottom();
    var seen = new Set();
    var previous = null;
    var appended = false;
    items.forEach(function (item) {
      seen.add(item.id);
      var signature = JSON.stringify(item);
      var entry = state.rendered.get(item.id);
      var node;
      if (entry && entry.signature === signature) {
        node = entry.node;
      } else {
        node = renderItem(item);
        if (entry) {
          carryComment(entry.node, node);
          entry.node.replaceWith(node);
          var card = node.querySelector('.card');
          if (card) card.classList.add('updated');
        } else {
          appended = true;
        }
        state.rendered.set(item.id, { signature: signature, node: node });
      }
      var expectedNext = previous ? previous.nextSibling : el.messages.firstChild;
      if (expectedNext !== node) el.messages.insertBefore(node, expectedNext);
      previous = node;
    });
    state.rendered.forEach(function (entry, id) {
      if (!seen.has(id)) { entry.node.remove(); state.rendered.delete(id); }
    });
    showEmptyHint(items.length === 0 && !el.pending.children.length);
    if (appended && stick) scrollToBottom();
  }

  function carryComment(oldNode, newNode) {
    var oldInput = oldNode.querySelector('.comment');
    var newInput = newNode.querySelector('.comment');
    if (!oldInput || !newInput || !oldInput.value) return;
    newInput.value = oldInput.value;
    if (document.activeElement === oldInput) setTimeout(function () { newInput.focus(); }, 0);
  }

  function showEmptyHint(show) {
    var user = userById(state.userId);
    el.empty.hidden = !show;
    if (!show || !user) return;
    el.empty.replaceChildren(
      h('strong', { text: '你好，' + user.name }),
      '试试下方的快捷指令，或直接输入，例如「提交本月差旅费 3500元」。',
      h('br'),
      'Try a suggestion below or type a request.'
    );
  }

  async function loadTranscript(forceScroll) {
    var userId = state.userId;
    var generation = state.generation;
    if (!userId) return;
    try {
      var res = await api('GET', '/api/dev/transcript/' + encodeURIComponent(userId));
      if (generation !== state.generation) return;
      if (!res.ok || !Array.isArray(res.data)) {
        setBanner(errorText(res, '无法加载对话 Could not load the transcript'));
        return;
      }
      setBanner('');
      renderTranscript(res.data, forceScroll);
    } catch (e) {
      if (generation === state.generation) setBanner('连接中断，正在重试… · Connection lost, retrying');
    }
  }

  // Serialises transcript loads so a poll and an explicit refresh never render out of order.
  function refresh(forceScroll) {
    refreshChain = refreshChain.then(function () { return loadTranscript(forceScroll); });
    return refreshChain;
  }

  function pollTranscript() {
    var next = function () { setTimeout(pollTranscript, POLL_MS); };
    if (document.hidden || !state.userId) { next(); return; }
    refresh(false).then(next, next);
  }

  // ---- sending ----

  function pendingBubble(text) {
    var row = h('div', { className: 'row user sending' }, [
      h('div', { className: 'stack' }, [h('div', { className: 'bubble', text: text }), h('span', { className: 'time', text: '发送中… Sending' })])
    ]);
    el.pending.appendChild(row);
    return row;
  }

  function typingIndicator() {
    var row = h('div', { className: 'row bot typing', 'aria-label': '助手正在输入 Bot is typing' }, [
      botAvatar(),
      h('div', { className: 'stack' }, [h('div', { className: 'bubble' }, [h('span', { className: 'dot' }), h('span', { className: 'dot' }), h('span', { className: 'dot' })])])
    ]);
    el.pending.appendChild(row);
    return row;
  }

  async function sendText(raw, files) {
    var text = (raw || '').trim();
    files = files || [];
    if ((!text && !files.length) || !state.userId) return;
    var generation = state.generation;
    var userId = state.userId;
    el.empty.hidden = true;
    var bubble = pendingBubble([text].concat(files.map(function (f) { return '📎 ' + f.name; })).filter(Boolean).join('\\n'));
    var typing = typingIndicator();
    scrollToBottom();
    var failed = null;
    try {
      var body = { userId: userId, text: text };
      if (files.length) body.attachments = files;
      var res = await api('POST', '/api/dev/messages', body);
      if (!res.ok) failed = errorText(res, '发送失败 Send failed');
    } catch (e) {
      failed = '网络错误，消息未发送 · Network error, not sent';
    }
    typing.remove();
    if (generation !== state.generation) return;
    if (failed) {
      bubble.className = 'row user failed';
      bubble.querySelector('.time').textContent = '未发送 Not sent';
      toast(failed, true);
      return;
    }
    await refresh(true);
    bubble.remove();
    scrollToBottom();
  }

  // ---- attachments ----

  // The app refuses bodies over 1 MB; base64 makes a file a third larger.
  var MAX_FILE_BYTES = 700 * 1024;

  function readFile(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(String(reader.result).replace(/^data:[^,]*,/, '')); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(file);
    });
  }

  async function sendFile(file) {
    if (file.size > MAX_FILE_BYTES) {
      toast('模拟器中单个文件不超过 700 KB · Files up to 700 KB in the simulator', true);
      return;
    }
    var contentBase64 = await readFile(file);
    var text = el.input.value;
    el.input.value = '';
    await sendText(text, [{ name: file.name, mimeType: file.type || 'application/octet-stream', contentBase64: contentBase64 }]);
  }

  // ---- card actions ----

  async function act(card, action, cardNode, commentInput, button) {
    if (!state.userId) return;
    var buttons = cardNode.querySelectorAll('.btn');
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    button.classList.add('busy');
    var body = { userId: state.userId };
    var comment = commentInput && action.withComment ? commentInput.value.trim() : '';
    if (comment) body.comment = comment;
    if (card.actsOn) body.taskId = card.actsOn;
    var succeeded = false;
    try {
      var res = await api('POST', '/api/dev/cards/' + encodeURIComponent(card.id) + '/actions/' + encodeURIComponent(action.id), body);
      if (res.ok && res.data && res.data.ok !== false) {
        succeeded = true;
        toast(res.data.message || '已提交 Done', false);
      } else {
        toast(errorText(res, '操作失败 Action failed'), true);
      }
    } catch (e) {
      toast('网络错误，请重试 · Network error, please retry', true);
    }
    // A successful tap usually replaces this card on the refresh below; re-enable in case it did not change.
    button.classList.remove('busy');
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
    await refresh(false);
    if (succeeded) loadVouchers();
  }

  // ---- ledger ----

  function money(n) {
    var value = Number(n) || 0;
    return value.toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  function fen(n) { return Math.round((Number(n) || 0) * 100); }

  function renderVoucher(voucher) {
    var lines = voucher.lines || [];
    var debit = 0, credit = 0;
    var rows = lines.map(function (line) {
      debit += fen(line.debit); credit += fen(line.credit);
      return h('tr', null, [
        h('td', { className: 'account', text: line.account }),
        h('td', { className: 'num', text: fen(line.debit) ? money(line.debit) : '' }),
        h('td', { className: 'num', text: fen(line.credit) ? money(line.credit) : '' })
      ]);
    });
    var balanced = debit === credit && debit > 0;
    return h('article', { className: 'voucher', 'data-voucher-no': voucher.voucherNo, 'data-request-no': voucher.requestNo }, [
      h('div', { className: 'voucher-head' }, [
        h('span', { className: 'voucher-no', text: voucher.voucherNo }),
        h('span', { className: 'voucher-req', text: '单号 ' + (voucher.requestNo || '—') }),
        h('span', { className: 'badge ' + (balanced ? 'ok' : 'bad'), text: balanced ? '借贷平衡 Balanced' : '借贷不平 Unbalanced' })
      ]),
      h('table', { className: 'lines' }, [
        h('thead', null, [h('tr', null, [
          h('th', { text: '科目 Account' }), h('th', { className: 'num', text: '借方 Debit' }), h('th', { className: 'num', text: '贷方 Credit' })
        ])]),
        h('tbody', null, rows),
        h('tfoot', null, [h('tr', null, [
          h('td', { text: '合计 Total' }), h('td', { className: 'num', text: money(debit / 100) }), h('td', { className: 'num', text: money(credit / 100) })
        ])])
      ])
    ]);
  }

  var lastVouchers = null;
  async function loadVouchers() {
    try {
      var res = await api('GET', '/api/dev/erp/vouchers');
      if (!res.ok || !Array.isArray(res.data)) {
        el.vouchers.replaceChildren(h('p', { className: 'empty', text: errorText(res, '无法加载凭证 Could not load vouchers') }));
        lastVouchers = null;
        return;
      }
      var signature = JSON.stringify(res.data);
      if (signature === lastVouchers) return;
      lastVouchers = signature;
      el.voucherCount.textContent = res.data.length ? String(res.data.length) : '';
      if (!res.data.length) {
        el.vouchers.replaceChildren(h('div', { className: 'empty' }, [
          h('strong', { text: '暂无凭证' }),
          '报销审批通过后，出账任务会把凭证记入内置账簿。',
          h('br'),
          'Approved expenses are posted here as vouchers.'
        ]));
        return;
      }
      // Newest first: the one just posted is what the user is looking for.
      el.vouchers.replaceChildren.apply(el.vouchers, res.data.slice().reverse().map(renderVoucher));
    } catch (e) {
      /* transient; the next poll retries */
    }
  }

  function pollVouchers() {
    var next = function () { setTimeout(pollVouchers, LEDGER_POLL_MS); };
    if (document.hidden) { next(); return; }
    loadVouchers().then(next, next);
  }

  function showTab(ledger) {
    state.showLedger = ledger;
    el.app.classList.toggle('show-ledger', ledger);
    el.tabChat.setAttribute('aria-selected', String(!ledger));
    el.tabLedger.setAttribute('aria-selected', String(ledger));
    if (ledger) loadVouchers();
    else scrollToBottom();
  }

  // ---- wiring ----

  SUGGESTIONS.forEach(function (text) {
    el.chips.appendChild(h('button', { className: 'chip', type: 'button', text: text, onclick: function () { sendText(text); } }));
  });
  el.form.addEventListener('submit', function (event) {
    event.preventDefault();
    var text = el.input.value;
    el.input.value = '';
    sendText(text);
  });
  el.file.addEventListener('change', function () {
    var file = el.file.files && el.file.files[0];
    el.file.value = '';
    if (file) sendFile(file).catch(function () { toast('无法读取文件 · Could not read the file', true); });
  });
  el.me.addEventListener('click', function () {
    if (!window.matchMedia('(min-width: 760px)').matches) openDrawer(!el.app.classList.contains('drawer-open'));
  });
  el.scrim.addEventListener('click', function () { openDrawer(false); });
  document.addEventListener('keydown', function (event) { if (event.key === 'Escape') openDrawer(false); });
  el.tabChat.addEventListener('click', function () { showTab(false); });
  el.tabLedger.addEventListener('click', function () { showTab(true); });
  el.ledgerRefresh.addEventListener('click', function () { lastVouchers = null; loadVouchers(); });

  renderMe();
  loadUsers();
  pollTranscript();
  pollVouchers();
})();
`
