import { c, type CorpusCase } from './corpus.js'

/**
 * Commands written after the rules were tuned on CORPUS and never used to tune them: fresh
 * wording, typos, English and traditional characters. It measures how the rules generalise, so a
 * failure here is fixed with a general rule or left failing, never with a rule for one sentence.
 * "Now" is CORPUS_NOW: Wednesday 25 November 2026, 10:00 in Shanghai.
 */
const NOV = { from: '2026-11-01', to: '2026-11-30' }
const OCT = { from: '2026-10-01', to: '2026-10-31' }
const THIS_WEEK = { from: '2026-11-23', to: '2026-11-29' }
const LAST_WEEK = { from: '2026-11-16', to: '2026-11-22' }
const Q4 = { from: '2026-10-01', to: '2026-12-31' }

const expenses: CorpusCase[] = [
  c('帮忙报一下今天中午的饭钱 42', 'expense.submit', { category: 'meal', amount: 42, date: '2026-11-25' }),
  c('昨儿打的士回家花了67块', 'expense.submit', { category: 'transport', amount: 67, date: '2026-11-24' }),
  c('报销上周三的停车费 25元', 'expense.submit', { category: 'transport', amount: 25, date: '2026-11-18' }),
  c('报销：高铁 二等座 354.5', 'expense.submit', { category: 'travel', amount: 354.5 }),
  c('本月手机话费 99 请报销', 'expense.submit', { category: 'communication', amount: 99, period: NOV }),
  c('taxi 45 yesterday', 'expense.submit', { category: 'transport', amount: 45, date: '2026-11-24' }),
  c('Please reimburse my hotel bill of 1,150 yuan', 'expense.submit', { category: 'lodging', amount: 1150 }),
  c('claim lunch 35', 'expense.submit', { category: 'meal', amount: 35 }),
  c('報銷上個月的住宿費 2,400元', 'expense.submit', { category: 'lodging', amount: 2400, period: OCT }),
  c('報銷高鐵票 553', 'expense.submit', { category: 'travel', amount: 553 }),
  c('抱销打车费 33', 'expense.submit', { category: 'transport', amount: 33 }),
  c('报销加班餐 两百', 'expense.submit', { category: 'meal', amount: 200 }),
  c('请客户喝咖啡 268 元 报销', 'expense.submit', { category: 'entertainment', amount: 268 }),
  c('报销培训报名费三千', 'expense.submit', { category: 'training', amount: 3000 }),
  c('报销办公用品 158.8', 'expense.submit', { category: 'office', amount: 158.8 }),
  c('报销上个月的网费 200', 'expense.submit', { category: 'communication', amount: 200, period: OCT }),
  c('报销本季度差旅 2万3', 'expense.submit', { category: 'travel', amount: 23000, period: Q4 }),
  c('前天招待供应商吃饭 860', 'expense.submit', { category: 'entertainment', amount: 860, date: '2026-11-23' }),
  c('报销11月20号的出租车票 76', 'expense.submit', { category: 'transport', amount: 76, date: '2026-11-20' }),
  c('报销 11/18 的地铁 8 元', 'expense.submit', { category: 'transport', amount: 8, date: '2026-11-18' }),
  c('报销 2026-11-12 住宿 460', 'expense.submit', { category: 'lodging', amount: 460, date: '2026-11-12' }),
  c('差旅报销 5600 理由：去深圳参加展会', 'expense.submit', { category: 'travel', amount: 5600, reason: '去深圳参加展会', city: '深圳' }),
  c('我要报销这周的打车钱，一共一百二十八', 'expense.submit', { category: 'transport', amount: 128, period: THIS_WEEK }),
  c('报个餐费 65', 'expense.submit', { category: 'meal', amount: 65 }),
  c('报销酒店费用一千三百五十元', 'expense.submit', { category: 'lodging', amount: 1350 }),
  c('报销快递 22块', 'expense.submit', { category: 'office', amount: 22 }),
  c('上个月的油费 880 报一下', 'expense.submit', { category: 'transport', amount: 880, period: OCT }),
  c('报销交通费 ￥45.00 今天', 'expense.submit', { category: 'transport', amount: 45, date: '2026-11-25' }),
  c('expense taxi 58 RMB today', 'expense.submit', { category: 'transport', amount: 58, date: '2026-11-25' }),
  c('reimburse train ticket 268 from last month', 'expense.submit', { category: 'travel', amount: 268, period: OCT }),
  c('報銷餐費 120元', 'expense.submit', { category: 'meal', amount: 120 }),
  c('报销飞机票 2300', 'expense.submit', { category: 'travel', amount: 2300 }),
  c('报销 三百八十 打车', 'expense.submit', { category: 'transport', amount: 380 }),
  c('打车费报销，金额 46', 'expense.submit', { category: 'transport', amount: 46 }),
  c('报销出差住宿 3 晚 共 900', 'expense.submit', { category: 'lodging', amount: 900, nights: 3 }),
  c('报销差旅费3千', 'expense.submit', { category: 'travel', amount: 3000 }),
  c('报销午餐钱二十八块五', 'expense.submit', { category: 'meal', amount: 28.5 }),
]

const purchases: CorpusCase[] = [
  c('申请买3台打印机，预算一万五', 'purchase.request', { item: '打印机', quantity: 3, budget: 15000 }),
  c('采购两箱A4纸', 'purchase.request', { item: 'A4纸', quantity: 2 }),
  c('需要采购8套桌椅，预算两万', 'purchase.request', { item: '桌椅', quantity: 8, budget: 20000 }),
  c('申购一部手机 预算5000', 'purchase.request', { item: '手机', quantity: 1, budget: 5000 }),
  c('purchase 3 monitors budget 4500', 'purchase.request', { item: 'monitors', quantity: 3, budget: 4500 }),
  c('我想申请采购50包抽纸', 'purchase.request', { item: '抽纸', quantity: 50 }),
  c('採購10台筆記本電腦', 'purchase.request', { item: '笔记本电脑', quantity: 10 }),
  c('申请采购投影仪一台，预算6000元', 'purchase.request', { item: '投影仪', quantity: 1, budget: 6000 }),
  c('订购20把雨伞', 'purchase.request', { item: '雨伞', quantity: 20 }),
  c('帮我买5个键盘 预算1000', 'purchase.request', { item: '键盘', quantity: 5, budget: 1000 }),
  c('采购申请：服务器2台，预算12万', 'purchase.request', { item: '服务器', quantity: 2, budget: 120000 }),
  c('buy 2 laptops, budget 16k', 'purchase.request', { item: 'laptops', quantity: 2, budget: 16000 }),
  c('采购 白板笔 30支', 'purchase.request', { item: '白板笔', quantity: 30 }),
  c('申请采购办公软件授权 10 套 预算 3万', 'purchase.request', { item: '办公软件授权', quantity: 10, budget: 30000 }),
]

const transfers: CorpusCase[] = [
  c('下周一开始调到市场部', 'hr.transfer', { department: '市场部', effectiveDate: '2026-11-30' }),
  c('申请转岗去产品部', 'hr.transfer', { department: '产品部' }),
  c('12月15日起调岗至财务部', 'hr.transfer', { department: '财务部', effectiveDate: '2026-12-15' }),
  c('我想调去研发中心，下个月1号生效', 'hr.transfer', { department: '研发中心', effectiveDate: '2026-12-01' }),
  c('transfer to 销售部 next Monday', 'hr.transfer', { department: '销售部', effectiveDate: '2026-11-30' }),
  c('調崗到人力資源部', 'hr.transfer', { department: '人力资源部' }),
  c('申请调岗，去客服中心', 'hr.transfer', { department: '客服中心' }),
  c('明年一月一号换部门到法务部', 'hr.transfer', { department: '法务部', effectiveDate: '2027-01-01' }),
  c('我要调岗到运营部，理由：个人发展', 'hr.transfer', { department: '运营部', reason: '个人发展' }),
  c('调到行政部 下周五生效', 'hr.transfer', { department: '行政部', effectiveDate: '2026-12-04' }),
]

const resignations: CorpusCase[] = [
  c('我想辞职，最后一天是12月20日', 'hr.resign', { effectiveDate: '2026-12-20' }),
  c('提交离职申请 下个月15号走', 'hr.resign', { effectiveDate: '2026-12-15' }),
  c('申请离职，原因：家里有事', 'hr.resign', { reason: '家里有事' }),
  c('我要离职', 'hr.resign', {}),
  c('I want to resign, last day 2026-12-31', 'hr.resign', { effectiveDate: '2026-12-31' }),
  c('離職申請', 'hr.resign', {}),
  c('辞职 月底', 'hr.resign', { effectiveDate: '2026-11-30' }),
  c('打算下周五离职', 'hr.resign', { effectiveDate: '2026-12-04' }),
]

const projects: CorpusCase[] = [
  c('立项：客户满意度调研，预算3万', 'project.initiate', { title: '客户满意度调研', budget: 30000 }),
  c('发起一个新项目：门店数字化改造 预算 200万', 'project.initiate', { title: '门店数字化改造', budget: 2000000 }),
  c('申请立项 AI质检平台', 'project.initiate', { title: 'AI质检平台' }),
  c('新建项目「年度品牌升级」预算五十万', 'project.initiate', { title: '年度品牌升级', budget: 500000 }),
  c('start a project: mobile app redesign, budget 300k', 'project.initiate', { title: 'mobile app redesign', budget: 300000 }),
  c('立項：倉儲系統升級', 'project.initiate', { title: '仓储系统升级' }),
  c('发起立项 直播带货试点，理由：拓展线上渠道', 'project.initiate', { title: '直播带货试点', reason: '拓展线上渠道' }),
  c('创建项目 新员工培训体系 预算八万', 'project.initiate', { title: '新员工培训体系', budget: 80000 }),
]

const statuses: CorpusCase[] = [
  c('BX-202611-0021 现在到谁那了', 'request.status', { requestNo: 'BX-202611-0021' }),
  c('我那笔差旅费批下来没有', 'request.status', { category: 'travel' }),
  c('帮我看看采购单CG-202611-0003的状态', 'request.status', { requestNo: 'CG-202611-0003' }),
  c('我的申请怎么还没批', 'request.status', {}),
  c('where is my expense claim', 'request.status', {}),
  c('check status BX-202611-0019', 'request.status', { requestNo: 'BX-202611-0019' }),
  c('上周交的报销走到哪一步了', 'request.status', { period: LAST_WEEK }),
  c('查詢BX-202611-0030進度', 'request.status', { requestNo: 'BX-202611-0030' }),
  c('我的报销钱到了没', 'request.status', {}),
  c('bx-202611-0022 咋样了', 'request.status', { requestNo: 'BX-202611-0022' }),
  c('请问我的离职申请审批进度', 'request.status', {}),
  c('BX-202611-0027 卡在谁手里', 'request.status', { requestNo: 'BX-202611-0027' }),
]

const withdrawals: CorpusCase[] = [
  c('BX-202611-0033 我不要了，撤回来', 'request.withdraw', { requestNo: 'BX-202611-0033' }),
  c('那个采购申请帮我撤一下 CG-202611-0008', 'request.withdraw', { requestNo: 'CG-202611-0008' }),
  c('withdraw BX-202611-0040', 'request.withdraw', { requestNo: 'BX-202611-0040' }),
  c('撤銷申請 BX-202611-0035', 'request.withdraw', { requestNo: 'BX-202611-0035' }),
  c('撤回BX-202611-0044，原因：金额填错了', 'request.withdraw', { requestNo: 'BX-202611-0044', reason: '金额填错了' }),
  c('帮我把报销单撤回来', 'request.withdraw', {}),
  c('cancel my request BX-202611-0050', 'request.withdraw', { requestNo: 'BX-202611-0050' }),
  c('我的申请先撤了', 'request.withdraw', {}),
]

const lists: CorpusCase[] = [
  c('有啥要我批的吗', 'approval.list', {}),
  c('今天有没有待我审批的单子', 'approval.list', {}),
  c('等我审批的有哪些', 'approval.list', {}),
  c('anything waiting for my approval?', 'approval.list', {}),
  c('待辦', 'approval.list', {}),
  c('给我看看需要审的', 'approval.list', {}),
  c('list approvals', 'approval.list', {}),
  c('看下审批列表', 'approval.list', {}),
]

const approvals: CorpusCase[] = [
  c('同意了 BX-202611-0051', 'approval.approve', { requestNo: 'BX-202611-0051' }),
  c('OK 通过 BX-202611-0052', 'approval.approve', { requestNo: 'BX-202611-0052' }),
  c('approve BX-202611-0053', 'approval.approve', { requestNo: 'BX-202611-0053' }),
  c('全部同意', 'approval.approve', {}),
  c('同意 CG-202611-0012 理由：预算内', 'approval.approve', { requestNo: 'CG-202611-0012', reason: '预算内' }),
  c('這個我同意', 'approval.approve', {}),
  c('没问题，同意吧', 'approval.approve', {}),
  c('批准 XM-202611-0003', 'approval.approve', { requestNo: 'XM-202611-0003' }),
]

const rejections: CorpusCase[] = [
  c('不行，驳回 BX-202611-0054', 'approval.reject', { requestNo: 'BX-202611-0054' }),
  c('不同意 BX-202611-0055，发票重复了', 'approval.reject', { requestNo: 'BX-202611-0055', reason: '发票重复了' }),
  c('reject this one, missing receipts', 'approval.reject', { reason: 'missing receipts' }),
  c('退回 BX-202611-0056 理由：附件不全', 'approval.reject', { requestNo: 'BX-202611-0056', reason: '附件不全' }),
  c('拒绝CG-202611-0013', 'approval.reject', { requestNo: 'CG-202611-0013' }),
  c('不批，预算超了', 'approval.reject', { reason: '预算超了' }),
  c('駁回，理由：金額不對', 'approval.reject', { reason: '金额不对' }),
  c('decline BX-202611-0057', 'approval.reject', { requestNo: 'BX-202611-0057' }),
]

const help: CorpusCase[] = [
  c('你都能干啥', 'help', {}),
  c('怎么提交采购申请', 'help', {}),
  c('使用帮助', 'help', {}),
  c('我不会用，教教我', 'help', {}),
  c('怎样发起立项', 'help', {}),
  c('HELP', 'help', {}),
]

const smallTalk: CorpusCase[] = [
  c('谢谢', 'unknown', {}),
  c('哈哈哈', 'unknown', {}),
  c('今天天气不错', 'unknown', {}),
  c('你是谁', 'unknown', {}),
  c('good morning', 'unknown', {}),
  c('周末一起吃饭吗', 'unknown', {}),
  c('好的', 'unknown', {}),
  c('收到', 'unknown', {}),
  c('会议改到下午三点', 'unknown', {}),
]

const answers: CorpusCase[] = [
  c('两千八', 'unknown', { amount: 2800 }),
  c('大概一千五百块', 'unknown', { amount: 1500 }),
  c('上上个月', 'unknown', { period: { from: '2026-09-01', to: '2026-09-30' } }),
  c('昨天的', 'unknown', { date: '2026-11-24' }),
  c('4.5k', 'unknown', { amount: 4500 }),
  c('本周', 'unknown', { period: THIS_WEEK }),
]

/**
 * A second round, written after the fixes the first one led to, to see whether those generalised.
 * Measured once before anything was tuned on it: intent 97.6%, exact slots 100% (42 commands).
 */
const secondRound: CorpusCase[] = [
  c('报销周一的打车费 39', 'expense.submit', { category: 'transport', amount: 39, date: '2026-11-23' }),
  c('住酒店花了两千一，帮我报了', 'expense.submit', { category: 'lodging', amount: 2100 }),
  c('上个月电话费 一百六十八', 'expense.submit', { category: 'communication', amount: 168, period: OCT }),
  c('午饭 25块 今天', 'expense.submit', { category: 'meal', amount: 25, date: '2026-11-25' }),
  c('reimburse dinner 188 yesterday', 'expense.submit', { category: 'meal', amount: 188, date: '2026-11-24' }),
  c('報銷機票 1,980', 'expense.submit', { category: 'travel', amount: 1980 }),
  c('报销本月培训费 4千', 'expense.submit', { category: 'training', amount: 4000, period: NOV }),
  c('招待客户 2800 报销，理由：项目签约', 'expense.submit', { category: 'entertainment', amount: 2800, reason: '项目签约' }),
  c('报销停车 15 元', 'expense.submit', { category: 'transport', amount: 15 }),
  c('报销出差火车票 三百二十五', 'expense.submit', { category: 'travel', amount: 325 }),
  c('采购3个显示器支架', 'purchase.request', { item: '显示器支架', quantity: 3 }),
  c('申请采购2台空调 预算1万2', 'purchase.request', { item: '空调', quantity: 2, budget: 12000 }),
  c('需要买10本笔记本，预算300', 'purchase.request', { item: '笔记本', quantity: 10, budget: 300 }),
  c('purchase 1 projector budget 5000', 'purchase.request', { item: 'projector', quantity: 1, budget: 5000 }),
  c('下个月15号调到财务部', 'hr.transfer', { department: '财务部', effectiveDate: '2026-12-15' }),
  c('申请调岗到人事行政部', 'hr.transfer', { department: '人事行政部' }),
  c('我想转岗到销售部，12月1日开始', 'hr.transfer', { department: '销售部', effectiveDate: '2026-12-01' }),
  c('离职申请，最后工作日下月底', 'hr.resign', { effectiveDate: '2026-12-31' }),
  c('我要辞职 理由：回老家发展', 'hr.resign', { reason: '回老家发展' }),
  c('立项：新办公室装修，预算30万', 'project.initiate', { title: '新办公室装修', budget: 300000 }),
  c('发起项目：会员积分系统', 'project.initiate', { title: '会员积分系统' }),
  c('BX-202611-0061 批了没', 'request.status', { requestNo: 'BX-202611-0061' }),
  c('我上个月的报销进度', 'request.status', { period: OCT }),
  c('查一下我的采购申请', 'request.status', {}),
  c('what is the status of CG-202611-0011', 'request.status', { requestNo: 'CG-202611-0011' }),
  c('撤回 CG-202611-0015', 'request.withdraw', { requestNo: 'CG-202611-0015' }),
  c('把 BX-202611-0062 撤销掉', 'request.withdraw', { requestNo: 'BX-202611-0062' }),
  c('报销单填错了，帮我撤回', 'request.withdraw', {}),
  c('待我审批的', 'approval.list', {}),
  c('我有什么要审的', 'approval.list', {}),
  c('pending approvals', 'approval.list', {}),
  c('同意BX-202611-0063', 'approval.approve', { requestNo: 'BX-202611-0063' }),
  c('批准，没问题', 'approval.approve', {}),
  c('lgtm', 'approval.approve', {}),
  c('驳回 CG-202611-0016 理由：超预算', 'approval.reject', { requestNo: 'CG-202611-0016', reason: '超预算' }),
  c('不同意，缺发票', 'approval.reject', { reason: '缺发票' }),
  c('怎么用', 'help', {}),
  c('能做什么', 'help', {}),
  c('晚上好', 'unknown', {}),
  c('今天几号', 'unknown', {}),
  c('三百五', 'unknown', { amount: 350 }),
  c('下周一', 'unknown', { date: '2026-11-30' }),
]

export const HELD_OUT_CORPUS: readonly CorpusCase[] = [
  ...expenses,
  ...purchases,
  ...transfers,
  ...resignations,
  ...projects,
  ...statuses,
  ...withdrawals,
  ...lists,
  ...approvals,
  ...rejections,
  ...help,
  ...smallTalk,
  ...answers,
  ...secondRound,
]
