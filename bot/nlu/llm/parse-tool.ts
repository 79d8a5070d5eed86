import type { ChatCompletionFunctionTool } from 'openai/resources/chat/completions'
import { z } from 'zod'
import { INTENTS, slotsSchema, type Intent, type Slots } from '../command.js'

/**
 * The one function the model may call: its JSON schema is generated from the parse contract's
 * own zod schemas (intents, slot names, category enum, number and date formats), so the model
 * is asked for exactly what the rest of the bot accepts. Only the meanings are written here.
 */
export const PARSE_TOOL_NAME = 'record_command'

const INTENT_MEANINGS: Readonly<Record<Intent, string>> = {
  'expense.submit': '报销/提交费用 (submit an expense claim)',
  'purchase.request': '申请采购 (request a purchase)',
  'hr.transfer': '调岗/转部门 (transfer to another department)',
  'hr.resign': '离职/辞职 (resign)',
  'project.initiate': '发起立项 (start a project)',
  'request.status': '查询申请进度 (where is my request)',
  'request.withdraw': '撤回申请 (withdraw my own request)',
  'approval.list': '查看待我审批 (list approvals waiting for me)',
  'approval.approve': '同意/批准一个申请 (approve a request)',
  'approval.reject': '驳回/不同意一个申请 (reject a request)',
  help: '问怎么用 (asks how to use the bot)',
  unknown: '闲聊或其他 (small talk, or anything else)',
  'delegation.set': '休假/出差期间让某人代理审批 (name a stand-in approver for some days; the period is the days away)',
  'delegation.cancel': '取消代理 (cancel my stand-in)',
  'delegation.list': '查看我的代理设置 (show my stand-ins)',
}

const SLOT_MEANINGS: Readonly<Record<keyof Slots, string>> = {
  category: 'expense category: travel 差旅/机票/高铁, transport 打车/地铁/停车/加油, meal 餐补/午饭, lodging 酒店/住宿, office 办公用品, entertainment 招待/请客户吃饭, training 培训, communication 话费, other',
  amount: 'expense amount in yuan as a number (三千五 → 3500, 1.2万 → 12000)',
  period: 'a span of days the expense covers, inclusive, YYYY-MM-DD (上个月 → the first to the last day of last month)',
  date: 'the single day an expense happened or a purchase is wanted, YYYY-MM-DD',
  item: 'what to buy, without the quantity (10台笔记本电脑 → 笔记本电脑)',
  quantity: 'how many items to buy, a whole number',
  budget: 'budget in yuan for a purchase or project, as a number',
  department: 'the department to transfer to (销售部)',
  effectiveDate: 'the day a transfer or resignation takes effect, YYYY-MM-DD, usually in the future',
  reason: "the person's stated reason, in their words",
  requestNo: 'a request number exactly as written in the message, like BX-202611-0007',
  title: "a project's subject (发起立项：双十一营销活动 → 双十一营销活动)",
  city: 'expense claims only: the city where the cost arose, the name alone without 市 (上海出差住宿 → 上海)',
  nights: 'expense claims only: nights stayed, a whole number (3晚 → 3, 住了两天 → 2)',
}

function describedSlots() {
  const shape = slotsSchema.shape
  const described = Object.fromEntries((Object.keys(shape) as (keyof Slots)[]).map((name) => [name, shape[name].describe(SLOT_MEANINGS[name])]))
  return z.object(described).strict().describe('only the slots the message states; leave out everything it does not say')
}

function toolParameters(): Record<string, unknown> {
  const schema = z.object({
    intent: z.enum(INTENTS).describe(INTENTS.map((intent) => `${intent}: ${INTENT_MEANINGS[intent]}`).join('; ')),
    slots: describedSlots(),
  })
  // The $schema keyword is noise to a function-calling model and some servers reject it.
  const { $schema: _dialect, ...parameters } = z.toJSONSchema(schema, { target: 'draft-7' })
  return parameters
}

export const PARSE_TOOL: ChatCompletionFunctionTool = {
  type: 'function',
  function: {
    name: PARSE_TOOL_NAME,
    description: "Record the one command an employee's chat message asks the approval bot for.",
    parameters: toolParameters(),
  },
}
