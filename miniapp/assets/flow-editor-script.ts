/**
 * The visual flow-template editor, served as /miniapp/assets/flow-editor.js on the editor page
 * only. It edits the FlowDefinition JSON in memory (nodes added, removed, reordered, configured),
 * renders it as a vertical flow, and validates/publishes through /api/admin/flows. Plain ES2020,
 * no template literals; text reaches the DOM through textContent only.
 */
export const FLOW_EDITOR_JS = String.raw`(function () {
  'use strict';
  function init() {
    var dataEl = document.getElementById('flow-data');
    if (!dataEl || !window.miniapp) return;
    var data = JSON.parse(dataEl.textContent);
    var def = data.definition;
    var api = window.miniapp.api, toast = window.miniapp.toast;
    var canvas = document.getElementById('flow-canvas');
    var openId = null;

    var SOURCE_KINDS = { supervisor: '直属上级 supervisor', nthSupervisor: '第 N 级上级 Nth supervisor', supervisorChain: '连续多级上级 chain', departmentHead: '部门负责人 dept head', role: '角色 role', users: '指定成员 people', initiatorSelected: '发起人自选 chosen by requester', initiator: '发起人本人 requester' };
    var MODES = { 'or-sign': '或签 any one', countersign: '会签 everyone', sequential: '依次 one by one', vote: '票签 vote' };
    var EMPTY = { 'auto-pass': '自动通过 pass', admin: '转管理员 to admin', reject: '驳回 reject' };
    var TIMEOUT = { '': '（不处理 none）', approve: '自动同意 approve', reject: '自动驳回 reject', escalate: '升级给上级 escalate' };
    var FIELDS = { amount: '金额（元） amount', category: '费用类别 category', department: '部门 department', requesterLevel: '申请人职级 level', type: '申请类型 type' };
    var FIELD_WORDS = { amount: '金额', category: '费用类别', department: '部门', requesterLevel: '职级', type: '类型' };
    var OPS = { gt: '>', gte: '≥', lt: '<', lte: '≤', eq: '=', ne: '≠', 'in': '属于 in', notIn: '不属于 not in' };
    var peopleName = {}; data.people.forEach(function (p) { peopleName[p.id] = p.name; });
    var deptName = {}; data.departments.forEach(function (d) { deptName[d.id] = d.name; });

    function h(tag, props, children) {
      var node = document.createElement(tag);
      Object.keys(props || {}).forEach(function (k) {
        var v = props[k];
        if (v === undefined || v === null || v === false) return;
        if (k === 'text') node.textContent = v;
        else if (k === 'className') node.className = v;
        else if (k.indexOf('on') === 0) node.addEventListener(k.slice(2), v);
        else if (k === 'dataset') Object.keys(v).forEach(function (d) { node.dataset[d] = v[d]; });
        else if (k === 'value') node.value = v;
        else if (k === 'checked') node.checked = v;
        else node.setAttribute(k, v === true ? '' : v);
      });
      (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
      return node;
    }
    function select(options, value, onchange, label) {
      return h('select', { onchange: function (e) { onchange(e.target.value); }, 'aria-label': label }, Object.keys(options).map(function (k) {
        return h('option', { value: k, text: options[k], selected: k === String(value === undefined ? '' : value) ? 'selected' : null });
      }));
    }
    function field(label, control) { return h('label', { className: 'field' }, [h('span', { text: label }), control]); }
    function input(value, onchange, type, label) { return h('input', { type: type || 'text', value: value === undefined || value === null ? '' : String(value), onchange: function (e) { onchange(e.target.value); }, 'aria-label': label }); }
    function newId(prefix) { return prefix + '-' + Math.random().toString(36).slice(2, 7); }

    function sourceText(s) {
      switch (s.kind) {
        case 'users': return (s.userIds || []).map(function (id) { return peopleName[id] || id; }).join('、') || '（未选人 nobody）';
        case 'role': return '角色 ' + s.role + (s.scope === 'department' ? '（本部门）' : '');
        case 'nthSupervisor': return '第 ' + s.level + ' 级上级';
        case 'supervisorChain': return '连续上级至 ' + (s.upToLevel ? s.upToLevel + ' 级' : '') + (s.upToRole ? ' 角色 ' + s.upToRole : '');
        case 'departmentHead': return (s.level && s.level > 1 ? '上 ' + (s.level - 1) + ' 级部门的' : '') + '部门负责人';
        default: return SOURCE_KINDS[s.kind] || s.kind;
      }
    }
    function valueText(c) {
      var show = function (v) { return c.field === 'amount' ? (Number(v) / 100).toLocaleString('zh-CN') + ' 元' : c.field === 'department' ? (deptName[v] || v) : c.field === 'category' ? (data.categories[v] || v) : String(v); };
      return Array.isArray(c.value) ? c.value.map(show).join('、') : show(c.value);
    }
    function conditionText(c) {
      if (c.all) return c.all.map(conditionText).join(' 且 ');
      if (c.any) return c.any.map(conditionText).join(' 或 ');
      return (FIELD_WORDS[c.field] || c.field) + ' ' + (OPS[c.op] || c.op).split(' ')[0] + ' ' + valueText(c);
    }

    function moveButtons(list, index) {
      return [
        h('button', { type: 'button', className: 'btn small', text: '↑', 'aria-label': '上移 move up', disabled: index === 0 ? 'disabled' : null, onclick: function () { var n = list.splice(index, 1)[0]; list.splice(index - 1, 0, n); render(); } }),
        h('button', { type: 'button', className: 'btn small', text: '↓', 'aria-label': '下移 move down', disabled: index === list.length - 1 ? 'disabled' : null, onclick: function () { var n = list.splice(index, 1)[0]; list.splice(index + 1, 0, n); render(); } }),
        h('button', { type: 'button', className: 'btn small danger', text: '删除', 'aria-label': '删除节点 remove', onclick: function () { list.splice(index, 1); render(); } }),
      ];
    }

    function sourceEditor(node) {
      var rows = node.sources.map(function (s, i) {
        var params = [];
        if (s.kind === 'users') {
          params.push(h('select', { multiple: 'multiple', size: '4', 'aria-label': '成员 people', onchange: function (e) { s.userIds = Array.prototype.slice.call(e.target.selectedOptions).map(function (o) { return o.value; }); render(); } },
            data.people.map(function (p) { return h('option', { value: p.id, text: p.name, selected: (s.userIds || []).indexOf(p.id) >= 0 ? 'selected' : null }); })));
        }
        if (s.kind === 'role') {
          var roles = {}; data.roles.forEach(function (r) { roles[r] = r; }); if (s.role && !roles[s.role]) roles[s.role] = s.role;
          params.push(select(roles, s.role, function (v) { s.role = v; render(); }, '角色 role'));
          params.push(select({ company: '全公司 company', department: '本部门向上 department' }, s.scope || 'company', function (v) { s.scope = v; render(); }, '范围 scope'));
        }
        if (s.kind === 'nthSupervisor' || s.kind === 'departmentHead') params.push(input(s.level || 1, function (v) { s.level = Number(v) || 1; render(); }, 'number', '级 level'));
        if (s.kind === 'supervisorChain') params.push(input(s.upToLevel || 2, function (v) { s.upToLevel = Number(v) || 1; render(); }, 'number', '至几级 up to level'));
        return h('div', { className: 'btn-row source-row' }, [
          select(SOURCE_KINDS, s.kind, function (v) { node.sources[i] = v === 'users' ? { kind: 'users', userIds: [] } : v === 'role' ? { kind: 'role', role: data.roles[0] || 'finance' } : v === 'nthSupervisor' ? { kind: 'nthSupervisor', level: 2 } : v === 'supervisorChain' ? { kind: 'supervisorChain', upToLevel: 2 } : { kind: v }; render(); }, '审批人来源 source'),
        ].concat(params).concat([node.sources.length > 1 ? h('button', { type: 'button', className: 'btn small danger', text: '×', 'aria-label': '移除来源 remove source', onclick: function () { node.sources.splice(i, 1); render(); } }) : null]));
      });
      return h('div', { className: 'field' }, [h('span', { text: node.kind === 'cc' ? '抄送给 CC to' : '审批人 Approvers' })].concat(rows).concat([
        h('button', { type: 'button', className: 'btn small', text: '+ 添加来源 add source', onclick: function () { node.sources.push({ kind: 'supervisor' }); render(); } }),
      ]));
    }

    function nodeEditor(node) {
      var parts = [field('名称 Name', input(node.name, function (v) { node.name = v; render(); }, 'text', '名称'))];
      if (node.kind === 'condition') {
        node.branches.forEach(function (b, i) {
          var cond = b.when;
          var simple = cond && cond.field !== undefined;
          var valueControl;
          if (simple && (cond.field === 'category' || cond.field === 'department') && (cond.op === 'eq' || cond.op === 'ne')) {
            valueControl = select(cond.field === 'category' ? data.categories : deptName, cond.value, function (v) { cond.value = v; render(); }, '值 value');
          } else if (simple) {
            var shown = Array.isArray(cond.value) ? cond.value.join(',') : cond.field === 'amount' ? Number(cond.value) / 100 : cond.value;
            valueControl = input(shown, function (v) {
              var many = cond.op === 'in' || cond.op === 'notIn';
              var parse = function (x) { x = x.trim(); return cond.field === 'amount' ? Math.round(Number(x) * 100) : cond.field === 'requesterLevel' ? Number(x) : x; };
              cond.value = many ? v.split(/[,，、]/).filter(Boolean).map(parse) : parse(v);
              render();
            }, cond.field === 'amount' || cond.field === 'requesterLevel' ? 'number' : 'text', '值 value');
          }
          parts.push(h('div', { className: 'task', dataset: { branch: String(i) } }, [
            field('分支 Branch ' + (i + 1), input(b.name, function (v) { b.name = v; render(); }, 'text', '分支名称')),
            simple ? h('div', { className: 'btn-row' }, [
              select(FIELDS, cond.field, function (v) { cond.field = v; cond.value = v === 'amount' ? 500000 : v === 'requesterLevel' ? 5 : v === 'category' ? 'travel' : v === 'department' ? data.departments[0].id : 'expense'; render(); }, '条件字段 field'),
              select(OPS, cond.op, function (v) { cond.op = v; if ((v === 'in' || v === 'notIn') && !Array.isArray(cond.value)) cond.value = [cond.value]; if (v !== 'in' && v !== 'notIn' && Array.isArray(cond.value)) cond.value = cond.value[0]; render(); }, '比较 op'),
              valueControl,
            ]) : h('p', { className: 'faint', text: '复合条件：' + conditionText(cond) + '（请用 JSON 编辑 edit as JSON）' }),
            field('原因 Reason', input(b.reason, function (v) { b.reason = v || undefined; render(); }, 'text', '原因')),
            node.branches.length > 1 ? h('button', { type: 'button', className: 'btn small danger', text: '删除分支 remove branch', onclick: function () { node.branches.splice(i, 1); render(); } }) : null,
          ]));
        });
        parts.push(h('button', { type: 'button', className: 'btn small', text: '+ 添加分支 add branch', onclick: function () { node.branches.push({ name: '新分支', when: { field: 'amount', op: 'gt', value: 1000000 }, nodes: [] }); render(); } }));
        return h('div', { className: 'grid node-editor' }, parts);
      }
      parts.push(field('原因（显示在卡片上）Reason', input(node.reason, function (v) { node.reason = v || undefined; render(); }, 'text', '原因')));
      parts.push(sourceEditor(node));
      if (node.kind === 'approver') {
        parts.push(field('审批方式 Mode', select(MODES, node.mode, function (v) { node.mode = v; if (v === 'vote') node.passRatio = node.passRatio || 0.5; else delete node.passRatio; render(); }, '审批方式')));
        if (node.mode === 'vote') parts.push(field('通过比例 Pass ratio (0–1)', input(node.passRatio, function (v) { node.passRatio = Number(v); render(); }, 'number', '通过比例')));
        parts.push(field('找不到审批人时 No approver', select(EMPTY, node.emptyApprover || 'auto-pass', function (v) { node.emptyApprover = v; render(); }, '找不到审批人')));
        var sla = node.sla || {};
        var setSla = function (k, v) { node.sla = node.sla || {}; if (v === '' || v === undefined) delete node.sla[k]; else node.sla[k] = k === 'onTimeout' ? v : Number(v); if (!Object.keys(node.sla).length) delete node.sla; render(); };
        parts.push(h('div', { className: 'filters' }, [
          field('提醒（小时）Remind after h', input(sla.remindAfterHours, function (v) { setSla('remindAfterHours', v); }, 'number', '提醒小时')),
          field('超时（小时）Timeout after h', input(sla.timeoutAfterHours, function (v) { setSla('timeoutAfterHours', v); }, 'number', '超时小时')),
          field('超时动作 On timeout', select(TIMEOUT, sla.onTimeout || '', function (v) { setSla('onTimeout', v); }, '超时动作')),
        ]));
      }
      return h('div', { className: 'grid node-editor' }, parts);
    }

    function summary(node) {
      if (node.kind === 'condition') return node.branches.map(function (b) { return b.name + '：' + conditionText(b.when); }).concat(['否则 else：' + (node['else'].name || '其他')]).join('；');
      if (node.kind === 'end') return '流程在此结束 the flow ends here';
      var text = node.sources.map(sourceText).join(' + ');
      if (node.kind === 'approver') text += ' · ' + MODES[node.mode].split(' ')[0] + (node.sla && node.sla.timeoutAfterHours ? ' · ' + node.sla.timeoutAfterHours + 'h 超时' : node.sla && node.sla.remindAfterHours ? ' · ' + node.sla.remindAfterHours + 'h 提醒' : '');
      return text;
    }

    var KIND_LABEL = { approver: '审批', cc: '抄送', condition: '条件', end: '结束' };
    function nodeItem(list, index) {
      var node = list[index];
      var open = openId === node.id;
      var children = [
        h('div', { className: 'task-head' }, [
          h('div', { className: 'item-main' }, [
            h('div', { className: 'item-title' }, [h('span', { className: 'badge ' + (node.kind === 'approver' ? 'blue' : node.kind === 'cc' ? 'green' : node.kind === 'condition' ? 'orange' : ''), text: KIND_LABEL[node.kind] }), ' ', node.name || '']),
            h('div', { className: 'item-sub', text: summary(node) }),
          ]),
        ]),
        h('div', { className: 'btn-row' }, (node.kind === 'end' ? [] : [h('button', { type: 'button', className: 'btn small' + (open ? ' primary' : ''), text: open ? '收起 Done' : '编辑 Edit', onclick: function () { openId = open ? null : node.id; render(); } })]).concat(moveButtons(list, index))),
      ];
      if (open) children.push(nodeEditor(node));
      if (node.kind === 'condition') {
        node.branches.forEach(function (b) { children.push(branchBlock(b.name + ' · ' + conditionText(b.when), b.nodes)); });
        children.push(branchBlock('否则 else · ' + (node['else'].name || '其他'), node['else'].nodes));
      }
      return h('li', { className: 'flow-node' + (node.kind === 'cc' ? ' cc' : ''), dataset: { nodeId: node.id, kind: node.kind } }, children);
    }
    function branchBlock(title, nodes) {
      var list = h('ol', { className: 'flow' });
      renderList(nodes, list);
      return h('div', { className: 'branch' }, [h('div', { className: 'faint', text: title }), list]);
    }
    function addBar(list, index) {
      var menu = h('div', { className: 'btn-row add-menu', hidden: 'hidden' }, [
        h('button', { type: 'button', className: 'btn small', text: '审批人 Approver', dataset: { add: 'approver' }, onclick: function () { var id = newId('approver'); list.splice(index, 0, { kind: 'approver', id: id, name: '新审批节点', sources: [{ kind: 'supervisor' }], mode: 'or-sign', emptyApprover: 'auto-pass' }); openId = id; render(); } }),
        h('button', { type: 'button', className: 'btn small', text: '抄送 CC', dataset: { add: 'cc' }, onclick: function () { var id = newId('cc'); list.splice(index, 0, { kind: 'cc', id: id, name: '抄送', sources: [{ kind: 'role', role: data.roles[0] || 'finance' }] }); openId = id; render(); } }),
        h('button', { type: 'button', className: 'btn small', text: '条件 Condition', dataset: { add: 'condition' }, onclick: function () { var id = newId('condition'); list.splice(index, 0, { kind: 'condition', id: id, name: '条件分支', branches: [{ name: '大额', when: { field: 'amount', op: 'gt', value: 1000000 }, nodes: [] }], 'else': { name: '其他', nodes: [] } }); openId = id; render(); } }),
        h('button', { type: 'button', className: 'btn small', text: '结束 End', dataset: { add: 'end' }, onclick: function () { list.splice(index, 0, { kind: 'end', id: newId('end') }); render(); } }),
      ]);
      var plus = h('button', { type: 'button', className: 'btn small add-node', text: '+', 'aria-label': '在此添加节点 add a node here', onclick: function () { menu.hidden = !menu.hidden; } });
      return h('li', { className: 'flow-add' }, [h('span', { className: 'flow-arrow' }), plus, menu]);
    }
    function renderList(list, into) {
      into.appendChild(addBar(list, 0));
      list.forEach(function (node, i) { into.appendChild(nodeItem(list, i)); into.appendChild(addBar(list, i + 1)); });
    }

    function renderSettings() {
      var box = document.getElementById('flow-settings');
      box.textContent = '';
      var s = def.settings;
      box.appendChild(h('div', { className: 'panel-head' }, [h('h2', { text: '基本设置 Settings' })]));
      box.appendChild(h('div', { className: 'grid' }, [
        field('流程名称 Name', input(def.name, function (v) { def.name = v; render(); }, 'text', '流程名称')),
        h('label', { className: 'field', style: 'flex-direction:row;align-items:center;gap:8px' }, [h('input', { type: 'checkbox', checked: s.dedup, onchange: function (e) { s.dedup = e.target.checked; render(); } }), h('span', { text: '审批人去重（已同意过的自动通过）De-duplicate approvers' })]),
        field('发起人是审批人时 Requester is approver', select({ 'auto-pass': '自动通过 pass', keep: '仍需审批 keep' }, s.initiatorIsApprover, function (v) { s.initiatorIsApprover = v; render(); }, '发起人是审批人')),
        field('审批人离职时 Resigned approver', select({ supervisor: '转其上级 to supervisor', admin: '转管理员 to admin' }, s.resignedApprover, function (v) { s.resignedApprover = v; render(); }, '审批人离职')),
      ]));
    }

    function render() {
      canvas.textContent = '';
      canvas.appendChild(h('li', { className: 'flow-node start' }, [h('div', { className: 'item-title', text: '发起 Start' }), h('div', { className: 'item-sub', text: '申请人提交 the requester submits' })]));
      renderList(def.nodes, canvas);
      canvas.appendChild(h('li', { className: 'flow-node end' }, [h('div', { className: 'item-title', text: '结束 End' }), h('div', { className: 'item-sub', text: '通过后入账 posted to the ERP when approved' })]));
      renderSettings();
      document.getElementById('flow-json').value = JSON.stringify(def, null, 2);
      document.getElementById('flow-name-title').textContent = def.name;
    }

    var result = document.getElementById('flow-result');
    function showResult(ok, lines) {
      result.textContent = '';
      var box = h('div', { className: 'notice' + (ok ? '' : ' warn'), style: 'margin-top:10px' });
      lines.forEach(function (line, i) { box.appendChild(h('div', { text: line, className: i ? 'item-sub' : '' })); });
      result.appendChild(box);
    }
    document.getElementById('flow-validate').addEventListener('click', function () {
      var sample = { requesterId: document.getElementById('sample-requester').value, amountYuan: Number(document.getElementById('sample-amount').value) || 0 };
      api('POST', '/api/admin/flows/' + data.type + '/validate', { definition: def, sample: sample }).then(function (res) {
        var lines = ['校验通过 · 试算路线 Valid · sample route:'];
        res.steps.forEach(function (s, i) { lines.push((i + 1) + '. ' + s.name + '：' + (s.approvers.join('、') || '（无人 nobody）') + (s.skipped ? '（跳过 skipped：' + s.skipped + '）' : '') + (s.kind === 'cc' ? '（抄送 CC）' : '')); });
        res.notes.forEach(function (n) { lines.push('· ' + n); });
        showResult(true, lines);
      }, function (e) { showResult(false, [e.message]); });
    });
    document.getElementById('flow-publish').addEventListener('click', function (event) {
      if (!confirm('发布新版本？之后提交的申请将按新流程审批。Publish a new version?')) return;
      event.target.disabled = true;
      api('POST', '/api/admin/flows/' + data.type + '/publish', { definition: def, baseVersion: data.baseVersion }).then(function (res) {
        toast(res.message);
        setTimeout(function () { location.href = '/miniapp/flows/' + data.type; }, 700);
      }, function (e) { showResult(false, [e.message]); event.target.disabled = false; });
    });
    document.getElementById('flow-json-apply').addEventListener('click', function () {
      try { def = JSON.parse(document.getElementById('flow-json').value); render(); toast('已应用 JSON / applied'); }
      catch (e) { toast('JSON 格式不对 / invalid JSON: ' + e.message, true); }
    });
    render();
  }
  document.addEventListener('DOMContentLoaded', init);
})();
`
