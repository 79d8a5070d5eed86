import type { OrgDirectory, Employee } from '../../org.js'
import type { PilotSettings } from '../settings/app-settings.js'

export type PilotAnswer = { served: true } | { served: false; message: string }

/**
 * During a 试点 the bot serves the chosen departments and everything under them. Everyone else is
 * told politely which departments are trying it and where to go meanwhile.
 */
export async function pilotAnswer(pilot: PilotSettings, org: OrgDirectory, employee: Employee): Promise<PilotAnswer> {
  if (!pilot.enabled) return { served: true }
  const chosen = new Set(pilot.departmentIds)
  const own = await org.department(employee.departmentId)
  for (let id: string | null = employee.departmentId, hops = 0; id && hops < 32; hops++) {
    if (chosen.has(id)) return { served: true }
    id = (await org.department(id))?.parentId ?? null
  }
  const names = (await Promise.all(pilot.departmentIds.map(async (id) => (await org.department(id))?.name))).filter(Boolean)
  const where = names.length > 0 ? `目前正在${names.join('、')}试点` : '目前正在小范围试点'
  return {
    served: false,
    message: `你好，${employee.name}！审批助手${where}，${own?.name ?? '你所在的部门'}暂未开通。${pilot.elsewhere}。开通后会第一时间通知你，感谢理解。`,
  }
}
