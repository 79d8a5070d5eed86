import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { deriveKey } from '../../server/secret-key.js'
import { adminSession } from './admin-session.js'
import { authRoutes } from './auth-routes.js'
import type { PlatformLogins } from './platform-login.js'
import { SessionCookies } from './session-cookie.js'

export interface AdminAccessOptions {
  db: Kysely<Schema>
  /** APP_SECRET_KEY (or the generated one). Without it sessions are signed with a per-process key. */
  secretKey?: string
  now?: () => number
  devMode: boolean
  platformLogins?: PlatformLogins
  log?: (message: string) => void
}

/** Sessions, the session middleware and the sign-in routes, built once per app. */
export function createAdminAccess(options: AdminAccessOptions) {
  const now = options.now ?? Date.now
  let secretKey = options.secretKey
  if (!secretKey) {
    options.log?.('APP_SECRET_KEY not provided to the app: admin sessions are signed with a per-process key and end on restart')
    secretKey = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
  }
  const sessions = new SessionCookies(deriveKey(secretKey, 'admin-session'), now)
  const platformLogins = options.platformLogins ?? {}
  return {
    devMode: options.devMode,
    platformLogins,
    sessions,
    session: adminSession(options.db, sessions),
    routes: () => authRoutes({ db: options.db, sessions, now, devMode: options.devMode, platformLogins, log: options.log }),
  }
}

export type AdminAccess = ReturnType<typeof createAdminAccess>
