import type { DbHandle } from './connect.js'
import { connectMysql } from './connect-mysql.js'

/** The parts of a Workers Hyperdrive binding (wrangler.toml [[hyperdrive]]) a MySQL driver needs. */
export interface HyperdriveBinding {
  host: string
  port: number
  user: string
  password: string
  database: string
}

/**
 * MySQL/MariaDB on Workers, through Cloudflare Hyperdrive, which keeps the real connections to the
 * database pooled near it; the sockets opened here go to Hyperdrive and are cheap to reopen.
 */
export function connectHyperdrive(binding: HyperdriveBinding): DbHandle {
  const handle = connectMysql(
    { host: binding.host, port: binding.port, user: binding.user, password: binding.password, database: binding.database },
    // Workers allow six simultaneous outgoing connections, fetches included: leave one for the
    // chat platforms' API, and close what sits idle so a quiet object holds one socket at most.
    { connectionLimit: 5, maxIdle: 1, idleTimeout: 10_000, disableEval: true },
  )
  return { ...handle, describe: `mysql through Hyperdrive (database ${binding.database})` }
}
