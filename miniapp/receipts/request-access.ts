import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { roleAllows } from '../auth/roles.js'
import type { Viewer } from '../auth/viewer.js'
import { takesPartIn } from '../my-work/my-work-data.js'

/**
 * Who may see a request, and so its files: finance and auditors (and admins) every request,
 * anyone else the requests they asked for or hold a task on.
 */
export async function maySeeRequest(db: Kysely<Schema>, viewer: Viewer, requestId: string): Promise<boolean> {
  return roleAllows(viewer.roles, ['finance', 'auditor']) || (await takesPartIn(db, requestId, viewer.id))
}
