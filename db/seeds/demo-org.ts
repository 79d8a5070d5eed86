import type { Kysely } from 'kysely'
import type { Schema } from '../schema.js'
import { installDefaultTemplate } from '../../workflow/templates/flow-templates.js'
import { REQUEST_TYPE_CODES } from '../../workflow/request-types.js'
import { seedDemoPolicies } from './demo-policies.js'

/**
 * A small company to try the product with: a CEO's office, R&D, sales, finance and HR, with the
 * usual supervisor chain so every approval step has someone real behind it.
 */
const DEPARTMENTS = [
  { id: 'd-ceo', name: '总经办', parent_id: null, head_user_id: 'zhouzong', cost_center: 'CC-100' },
  { id: 'd-rd', name: '研发部', parent_id: 'd-ceo', head_user_id: 'wangwu', cost_center: 'CC-200' },
  { id: 'd-sales', name: '销售部', parent_id: 'd-ceo', head_user_id: 'zhaoliu', cost_center: 'CC-300' },
  { id: 'd-fin', name: '财务部', parent_id: 'd-ceo', head_user_id: 'qianqi', cost_center: 'CC-400' },
  { id: 'd-hr', name: '人事行政部', parent_id: 'd-ceo', head_user_id: 'zhengshi', cost_center: 'CC-500' },
]

const USERS = [
  { id: 'zhangsan', employee_no: 'E1001', name: '张三', department_id: 'd-rd', manager_id: 'lisi', title: '软件工程师', level: 2, roles: ['employee'] },
  { id: 'lisi', employee_no: 'E1002', name: '李四', department_id: 'd-rd', manager_id: 'wangwu', title: '研发经理', level: 4, roles: ['employee', 'manager'] },
  { id: 'wangwu', employee_no: 'E1003', name: '王五', department_id: 'd-rd', manager_id: 'zhouzong', title: '研发总监', level: 5, roles: ['employee', 'dept_head'] },
  { id: 'zhaoliu', employee_no: 'E1004', name: '赵六', department_id: 'd-sales', manager_id: 'zhouzong', title: '销售总监', level: 5, roles: ['employee', 'dept_head'] },
  { id: 'wujiu', employee_no: 'E1005', name: '吴九', department_id: 'd-sales', manager_id: 'zhaoliu', title: '销售代表', level: 2, roles: ['employee'] },
  { id: 'qianqi', employee_no: 'E1006', name: '钱七', department_id: 'd-fin', manager_id: 'zhouzong', title: '财务经理', level: 5, roles: ['employee', 'dept_head', 'finance_manager'] },
  { id: 'sunba', employee_no: 'E1007', name: '孙八', department_id: 'd-fin', manager_id: 'qianqi', title: '会计', level: 3, roles: ['employee', 'finance'] },
  { id: 'zhengshi', employee_no: 'E1008', name: '郑十', department_id: 'd-hr', manager_id: 'zhouzong', title: '人事经理', level: 5, roles: ['employee', 'dept_head', 'hr'] },
  { id: 'zhouzong', employee_no: 'E1000', name: '周总', department_id: 'd-ceo', manager_id: null, title: '总经理', level: 9, roles: ['employee', 'dept_head', 'ceo'] },
  { id: 'admin', employee_no: 'E0001', name: '系统管理员', department_id: 'd-ceo', manager_id: 'zhouzong', title: 'IT 管理员', level: 3, roles: ['employee', 'admin'] },
]

/**
 * Seeds only an empty organisation: never touches a real company's employee master. Along with the
 * people come version 1 of the five default flow templates and the demo expense policies.
 */
export async function seedDemoOrg(db: Kysely<Schema>, now = Date.now()): Promise<boolean> {
  const existing = await db.selectFrom('users').select('id').limit(1).execute()
  if (existing.length > 0) return false
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('departments').values(DEPARTMENTS.map((d) => ({ ...d, created_at: now }))).execute()
    await trx
      .insertInto('users')
      .values(USERS.map((u) => ({ ...u, roles: JSON.stringify(u.roles), mobile: null, email: `${u.id}@demo.example.com`, active: 1, created_at: now })))
      .execute()
    for (const type of REQUEST_TYPE_CODES) await installDefaultTemplate(trx, type, now)
    await seedDemoPolicies(trx, now)
  })
  return true
}
