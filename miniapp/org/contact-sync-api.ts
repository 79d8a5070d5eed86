import { zValidator } from '@hono/zod-validator'
import { Hono } from 'hono'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import type { ContactDirectory } from '../../bot/identity/contact-directory.js'
import type { Schema } from '../../db/schema.js'
import type { System } from '../../server/compose.js'
import { requireRole } from '../auth/require-role.js'
import { viewerOf, type AdminEnv } from '../auth/viewer.js'
import { domainErrorResponse, validationFailed } from '../http/api-errors.js'
import { syncContacts } from './contact-sync.js'
import type { AfterOrgChange } from './org-api.js'

const syncBody = z.object({ dryRun: z.boolean().optional() })

/** The connected platforms whose company directory can be synced. */
export function contactDirectories(system: System): ContactDirectory[] {
  return system.integrations.flatMap((i) => (i.contactDirectory ? [i.contactDirectory] : []))
}

/** "从飞书/钉钉同步通讯录": reads a connected platform's directory and upserts the employee master. Admins only. */
export function contactSyncApi(db: Kysely<Schema>, now: () => number, directories: ContactDirectory[], afterOrgChange: AfterOrgChange): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>()
  app.post('/api/admin/org/contact-sync/:platform', requireRole('admin'), zValidator('json', syncBody, validationFailed), async (c) => {
    const platform = c.req.param('platform')
    const directory = directories.find((d) => d.platform === platform)
    if (!directory) return c.json({ ok: false, code: 'NOT_FOUND', message: `未连接该平台，无法同步通讯录 / ${platform} is not connected` }, 404)
    let snapshot
    try {
      snapshot = await directory.read()
    } catch (error) {
      // The platform's own words (missing contact scope, wrong secret) are what the admin needs to fix it.
      return c.json({ ok: false, code: 'PLATFORM', message: `读取通讯录失败，请检查应用的通讯录权限 / reading the directory failed: ${(error as Error).message}` }, 502)
    }
    const dryRun = c.req.valid('json').dryRun ?? false
    const result = await syncContacts(db, platform, snapshot, { actorId: viewerOf(c).id, now: now(), dryRun })
    const handedOver = dryRun ? 0 : await afterOrgChange(viewerOf(c).id)
    return c.json({ ok: true, ...result, handedOver })
  })
  app.onError(domainErrorResponse)
  return app
}
