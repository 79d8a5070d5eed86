/**
 * The mini-app's one script, served as /miniapp/assets/app.js: progressive enhancement of the
 * server-rendered pages. Plain ES2020 with no template literals (it lives in a String.raw here).
 * Every state-changing call goes through api(), which echoes the CSRF cookie in X-CSRF-Token.
 * Server data reaches the DOM through textContent only.
 */
export const APP_JS = String.raw`(function () {
  'use strict';
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var $$ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };

  function toast(message, isError) {
    var box = $('#toasts');
    if (!box) return;
    var node = document.createElement('div');
    node.className = 'toast' + (isError ? ' error' : '');
    node.textContent = message;
    box.appendChild(node);
    setTimeout(function () { node.remove(); }, isError ? 6000 : 3000);
  }

  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)ab_csrf=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : '';
  }

  function api(method, url, body) {
    var headers = { 'x-csrf-token': csrfToken() };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(url, { method: method, headers: headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (res) {
        return res.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : null; } catch (e) { data = { message: text }; }
          if (res.status === 401) { location.href = '/miniapp/login?next=' + encodeURIComponent(location.pathname + location.search); }
          if (!res.ok || (data && data.ok === false)) {
            var error = new Error((data && data.message) || ('请求失败 / request failed (' + res.status + ')'));
            error.status = res.status; error.data = data;
            throw error;
          }
          return data;
        });
      });
  }
  window.miniapp = { api: api, toast: toast };

  function busy(button, on) { if (button) { button.disabled = on; button.setAttribute('aria-busy', on ? 'true' : 'false'); } }

  // On a phone the tabs scroll sideways: the current one is brought into view, the edge fades while more follow.
  var nav = $('.nav');
  if (nav) {
    var current = nav.querySelector('[aria-current="page"]');
    if (current && nav.scrollWidth > nav.clientWidth) nav.scrollLeft = Math.max(0, current.getBoundingClientRect().left - nav.getBoundingClientRect().left - (nav.clientWidth - current.offsetWidth) / 2);
    var edge = function () { nav.classList.toggle('more-right', nav.scrollLeft + nav.clientWidth < nav.scrollWidth - 2); };
    nav.addEventListener('scroll', edge, { passive: true });
    edge();
  }

  // Sign out
  var logout = $('#logout');
  if (logout) logout.addEventListener('click', function () {
    api('POST', '/api/admin/auth/logout', {}).then(function () { location.href = '/miniapp/login'; }, function (e) { toast(e.message, true); });
  });

  // Forms that post JSON: <form data-post="/api/..." data-method="PUT" data-done="reload|/path">
  // Names with dots nest ("settings.host"), or data-path='["settings","a.b"]' when a key has a dot;
  // data-json fields hold JSON, data-pairs fields "key = value" lines, data-list checkboxes build an
  // array of their values; data-wrap="entries" sends {entries:[value]}.
  function formValue(form) {
    var out = {};
    var put = function (path, value) {
      var target = out;
      for (var i = 0; i < path.length - 1; i++) { target = target[path[i]] = target[path[i]] || (typeof path[i + 1] === 'number' ? [] : {}); }
      target[path[path.length - 1]] = value;
    };
    var get = function (path) {
      return path.reduce(function (cur, p) { return cur && cur[p]; }, out);
    };
    $$('input, select, textarea', form).forEach(function (el) {
      if (!el.name || el.disabled) return;
      var path = el.dataset.path ? JSON.parse(el.dataset.path) : el.name.split('.');
      if (el.type === 'checkbox' && el.dataset.list !== undefined) { if (el.checked) put(path, (get(path) || []).concat([el.value])); return; }
      if (el.type === 'checkbox') { put(path, el.checked); return; }
      if (el.type === 'file') return;
      if (el.value.trim() === '' && el.dataset.optional !== undefined) return;
      if (el.dataset.pairs !== undefined) {
        var pairs = {};
        el.value.split('\n').forEach(function (line) {
          if (!line.trim()) return;
          var eq = line.indexOf('=');
          if (eq < 1) throw new Error('每行应为“键 = 值” / each line must be "key = value": ' + line);
          var value = line.slice(eq + 1).trim();
          pairs[line.slice(0, eq).trim()] = el.dataset.pairs === 'number' ? Number(value) : value;
        });
        put(path, pairs);
        return;
      }
      if (el.dataset.json !== undefined) {
        var parsed;
        try { parsed = el.value.trim() ? JSON.parse(el.value) : {}; } catch (e) { throw new Error((el.name || '设置') + ' 不是有效的 JSON / is not valid JSON'); }
        put(path, Object.assign(parsed, get(path) || {}));
        return;
      }
      // data-scale: yuan typed, fen sent.
      put(path, el.type === 'number' ? Math.round(Number(el.value) * Number(el.dataset.scale || 1) * 1e6) / 1e6 : el.value);
    });
    // Table rows left empty leave holes in their array: drop them.
    var compact = function (v) {
      if (Array.isArray(v)) return v.filter(function (x) { return x !== undefined && x !== null; }).map(compact);
      if (v && typeof v === 'object') Object.keys(v).forEach(function (k) { v[k] = compact(v[k]); });
      return v;
    };
    out = compact(out);
    return form.dataset.wrap ? (function () { var w = {}; w[form.dataset.wrap] = [out]; return w; })() : out;
  }
  // A union's fields: only the chosen variant is shown and sent.
  $$('select[data-union-switch]').forEach(function (select) {
    var group = select.closest('.grid');
    var sync = function () {
      $$('[data-variant]', group).forEach(function (variant) {
        var on = variant.dataset.variant === select.value;
        variant.hidden = !on;
        $$('input, select, textarea', variant).forEach(function (el) { el.disabled = !on; });
      });
    };
    select.addEventListener('change', sync);
    sync();
  });

  $$('form[data-post]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var button = $('button[type=submit]', form);
      busy(button, true);
      var body;
      try { body = formValue(form); } catch (e) { toast(e.message, true); busy(button, false); return; }
      api(form.dataset.method || 'POST', form.dataset.post, body).then(function (data) {
        toast((data && data.message) || '已保存 / saved');
        var done = form.dataset.done || 'reload';
        setTimeout(function () { if (done === 'reload') location.reload(); else location.href = done; }, 500);
      }, function (e) { toast(e.message, true); busy(button, false); });
    });
  });

  // Buttons that post: <button data-call="/api/..." data-method="POST" data-confirm="...">
  $$('button[data-call]').forEach(function (button) {
    button.addEventListener('click', function () {
      if (button.dataset.confirm && !confirm(button.dataset.confirm)) return;
      busy(button, true);
      var body = button.dataset.body ? JSON.parse(button.dataset.body) : {};
      api(button.dataset.method || 'POST', button.dataset.call, body).then(function (data) {
        toast((data && data.message) || '完成 / done');
        setTimeout(function () { location.reload(); }, 500);
      }, function (e) { toast(e.message, true); busy(button, false); });
    });
  });

  // My work: approve / reject a task, with an optional comment (required to reject).
  $$('.task [data-decide]').forEach(function (button) {
    button.addEventListener('click', function () {
      var task = button.closest('.task');
      var decision = button.dataset.decide;
      var comment = $('textarea', task);
      var text = comment ? comment.value.trim() : '';
      if (decision === 'reject' && !text) { comment.focus(); toast('驳回请填写理由 / give a reason to reject', true); return; }
      $$('[data-decide]', task).forEach(function (b) { busy(b, true); });
      api('POST', '/api/admin/my/tasks/' + encodeURIComponent(task.dataset.requestId) + '/decision', { decision: decision, comment: text || undefined })
        .then(function (data) {
          toast(data.message);
          task.classList.add('decided');
          var status = $('.task-status', task);
          if (status) { status.textContent = decision === 'approve' ? '已同意' : '已驳回'; status.className = 'badge task-status ' + (decision === 'approve' ? 'green' : 'red'); }
          $$('.task-actions', task).forEach(function (el) { el.remove(); });
        }, function (e) {
          toast(e.message, true);
          $$('[data-decide]', task).forEach(function (b) { busy(b, false); });
        });
    });
  });

  // Sign-in page: pick a demo user (dev mode), or the host app's auth code inside Feishu / DingTalk.
  var loginBox = $('#login');
  if (loginBox) {
    var next = new URLSearchParams(location.search).get('next') || '';
    var go = function (data) { location.href = next.indexOf('/miniapp') === 0 ? next : (data && data.home) || '/miniapp'; };
    $$('[data-login-user]', loginBox).forEach(function (button) {
      button.addEventListener('click', function () {
        busy(button, true);
        api('POST', '/api/admin/auth/dev-login', { userId: button.dataset.loginUser }).then(go, function (e) { toast(e.message, true); busy(button, false); });
      });
    });
    var status = $('#platform-status');
    var platformLogin = function (platform, code) {
      return api('POST', '/api/admin/auth/' + platform, { code: code }).then(go, function (e) { if (status) status.textContent = e.message; toast(e.message, true); });
    };
    var feishuAppId = loginBox.dataset.feishuAppId;
    var params = new URLSearchParams(location.search);
    var feishuLogin = function () {
      if (!(window.tt && window.tt.requestAccess)) return;
      if (status) status.textContent = '正在通过飞书登录… / signing in with Feishu…';
      window.tt.requestAccess({ appID: feishuAppId, scopeList: [], success: function (res) { platformLogin('feishu', res.code); }, fail: function (err) { if (status) status.textContent = '飞书授权失败 / Feishu authorisation failed: ' + JSON.stringify(err); } });
    };
    if (feishuAppId && window.h5sdk && window.h5sdk.ready) { window.h5sdk.ready(feishuLogin); }
    else if (feishuAppId && window.tt) { feishuLogin(); } else if (window.dd && (params.get('corpId') || params.get('corpid'))) {
      if (status) status.textContent = '正在通过钉钉登录… / signing in with DingTalk…';
      var ask = window.dd.requestAuthCode || (window.dd.runtime && window.dd.runtime.permission && window.dd.runtime.permission.requestAuthCode);
      ask({ corpId: params.get('corpId') || params.get('corpid'), clientId: loginBox.dataset.dingtalkClientId,
        success: function (res) { platformLogin('dingtalk', res.code || res.authCode); },
        onSuccess: function (res) { platformLogin('dingtalk', res.code || res.authCode); },
        fail: function (err) { if (status) status.textContent = '钉钉授权失败 / DingTalk authorisation failed: ' + JSON.stringify(err); },
        onFail: function (err) { if (status) status.textContent = '钉钉授权失败 / DingTalk authorisation failed: ' + JSON.stringify(err); } });
    }
  }

  // Dashboard charts (uPlot is loaded before this script on that page only).
  var dashData = $('#dashboard-data');
  if (dashData && window.uPlot) {
    var data = JSON.parse(dashData.textContent);
    var charts = [];
    var draw = function () {
      charts.forEach(function (c) { c.destroy(); });
      charts = [];
      $$('[data-chart]').forEach(function (box) {
        var spec = data.charts[box.dataset.chart];
        if (!spec || !spec.x.length) return;
        var width = box.clientWidth;
        var opts = {
          width: width, height: 200,
          scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max) * 1.15]; } } },
          axes: [ { stroke: '#8f959e', grid: { show: false }, size: 28, font: '11px sans-serif', values: function (u, splits) { return splits.map(function (v) { var d = new Date(v * 1000 + 8 * 3600000); return (d.getUTCMonth() + 1) + '/' + d.getUTCDate(); }); } },
                  { stroke: '#8f959e', grid: { stroke: '#f0f1f2' }, size: 36, font: '11px sans-serif', incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000], values: function (u, splits) { return splits.map(function (v) { return String(Math.round(v)); }); } } ],
          legend: { show: true, live: false },
          cursor: { drag: { x: false, y: false } },
          series: [{}].concat(spec.series.map(function (s) {
            return { label: s.label, stroke: s.color, width: 2, fill: s.fill || undefined, points: { size: 5 }, paths: s.bars && window.uPlot.paths ? window.uPlot.paths.bars({ size: [0.6, 24] }) : undefined };
          }))
        };
        charts.push(new window.uPlot(opts, [spec.x].concat(spec.series.map(function (s) { return s.values; })), box));
      });
    };
    draw();
    var resizeTimer = null;
    window.addEventListener('resize', function () { clearTimeout(resizeTimer); resizeTimer = setTimeout(draw, 150); });
  }

  // Audit log: reveal masked personal data for the rows on screen, with a reason (the reveal is audited).
  var revealForm = $('#reveal-form');
  if (revealForm) revealForm.addEventListener('submit', function (event) {
    event.preventDefault();
    var ids = $$('[data-audit-id][data-masked="true"]').map(function (row) { return Number(row.dataset.auditId); });
    if (!ids.length) { toast('本页没有被遮盖的个人信息 / nothing masked on this page'); return; }
    var reason = $('input[name=reason]', revealForm).value.trim();
    api('POST', '/api/admin/audit/reveal', { ids: ids, reason: reason }).then(function (items) {
      items.forEach(function (item) {
        var row = $('[data-audit-id="' + item.id + '"]');
        if (!row) return;
        var before = $('.audit-before', row), after = $('.audit-after', row);
        if (before) before.textContent = JSON.stringify(item.before, null, 1);
        if (after) after.textContent = JSON.stringify(item.after, null, 1);
        row.dataset.masked = 'false';
        var flag = $('.masked-flag', row); if (flag) flag.textContent = '已显示 revealed';
      });
      toast('已显示 ' + items.length + ' 条，查看已记入审计日志 / revealed; this view is audited');
    }, function (e) { toast(e.message, true); });
  });

  // Contact sync: a dry run shows the counts, then 确认同步 writes them.
  $$('[data-sync]').forEach(function (box) {
    var preview = $('.sync-preview', box), confirmButton = $('.sync-confirm', box), result = $('.sync-result', box);
    var run = function (dryRun, button) {
      busy(button, true);
      return api('POST', box.dataset.sync, { dryRun: dryRun }).then(function (data) {
        result.textContent = data.message; busy(button, false); return data;
      }, function (e) { result.textContent = e.message; toast(e.message, true); busy(button, false); throw e; });
    };
    preview.addEventListener('click', function () {
      run(true, preview).then(function () { confirmButton.hidden = false; }, function () { confirmButton.hidden = true; });
    });
    confirmButton.addEventListener('click', function () {
      run(false, confirmButton).then(function (data) { toast(data.message); setTimeout(function () { location.reload(); }, 1500); }, function () {});
    });
  });

  // Excel on Chinese Windows saves CSV as GBK: a file that is not valid UTF-8 is read as GB18030 (a superset of GBK). The UTF-8 decoder drops a BOM, as f.text() did.
  function csvText(buffer) {
    try { return new TextDecoder('utf-8', { fatal: true }).decode(buffer); } catch (e) { return new TextDecoder('gb18030').decode(buffer); }
  }
  // CSV or XLSX import: preview first (dry run), then import what the preview showed. A workbook goes as base64.
  function importSource(f) {
    if (!/\.xlsx$/i.test(f.name)) return f.arrayBuffer().then(function (buffer) { return { csv: csvText(buffer) }; });
    return f.arrayBuffer().then(function (buffer) {
      var bytes = new Uint8Array(buffer), binary = '';
      for (var i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
      return { xlsx: btoa(binary) };
    });
  }
  $$('form[data-import]').forEach(function (form) {
    var file = $('input[type=file]', form);
    var preview = $('.import-preview', form);
    var confirmButton = $('.import-confirm', form);
    var source = null;
    var request = function (dryRun) {
      var body = { dryRun: dryRun };
      Object.keys(source).forEach(function (k) { body[k] = source[k]; });
      if (form.dataset.kind) body.kind = form.dataset.kind;
      return api('POST', form.dataset.import, body);
    };
    var show = function (result) {
      preview.textContent = '';
      var summary = document.createElement('p');
      summary.textContent = result.message;
      preview.appendChild(summary);
      (result.errors || []).slice(0, 20).forEach(function (err) {
        var line = document.createElement('div');
        line.className = 'faint';
        line.textContent = '第 ' + err.line + ' 行 / line ' + err.line + ': ' + err.message;
        preview.appendChild(line);
      });
    };
    file.addEventListener('change', function () {
      var f = file.files && file.files[0];
      if (!f) return;
      importSource(f).then(function (read) { source = read; return request(true); })
        .then(function (result) { show(result); confirmButton.hidden = !(result.valid > 0) || (result.errors || []).length > 0; },
              function (e) { if (e.data && e.data.errors) show(e.data); else toast(e.message, true); confirmButton.hidden = true; });
    });
    confirmButton.addEventListener('click', function () {
      busy(confirmButton, true);
      request(false).then(function (result) {
        toast(result.message); setTimeout(function () { location.reload(); }, 700);
      }, function (e) { toast(e.message, true); busy(confirmButton, false); });
    });
  });
})();
`
