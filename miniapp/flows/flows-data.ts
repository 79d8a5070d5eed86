import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { REQUEST_TYPES, type RequestType } from '../../workflow/request-types.js'
import type { FlowTemplates } from '../../workflow/templates/flow-templates.js'

export interface FlowSummary {
  type: RequestType
  label: string
  name: string
  latestVersion: number
  publishedAt: number
  /** Requests still running, per template version they started with. */
  running: { version: number; count: number }[]
}

/** Every request type's current template, and which versions running requests still follow. */
export async function flowSummaries(db: Kysely<Schema>, templates: FlowTemplates): Promise<FlowSummary[]> {
  const running = await db
    .selectFrom('requests')
    .select(['type', 'template_version', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', '=', 'pending')
    .groupBy(['type', 'template_version'])
    .execute()
  const summaries: FlowSummary[] = []
  for (const type of Object.keys(REQUEST_TYPES) as RequestType[]) {
    const latest = await templates.latest(type)
    summaries.push({
      type,
      label: REQUEST_TYPES[type].label,
      name: latest.definition.name,
      latestVersion: latest.version,
      publishedAt: latest.createdAt,
      running: running
        .filter((r) => r.type === type && r.template_version !== null)
        .map((r) => ({ version: Number(r.template_version), count: Number(r.n) }))
        .sort((a, b) => a.version - b.version),
    })
  }
  return summaries
}
