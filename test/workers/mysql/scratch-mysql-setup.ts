import { randomBytes } from 'node:crypto'
import { createConnection } from 'mysql2/promise'
import type { TestProject } from 'vitest/node'
import { MYSQL_BASE_URL } from '../../helpers/databases.js'

/**
 * Global setup (Node) of the MySQL Workers tests: an empty database on the test MariaDB for the
 * worker to migrate and use through its Hyperdrive binding, with a user of its own, because a
 * Hyperdrive connection string must carry a password and the test server's root has none.
 * Both are dropped afterwards.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const base = new URL(MYSQL_BASE_URL)
  const server = { host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password) }
  const name = `wk_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
  const password = randomBytes(18).toString('base64url')
  const admin = await createConnection(server)
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  await admin.query(`CREATE USER '${name}'@'%' IDENTIFIED BY '${password}'`)
  await admin.query(`GRANT ALL ON \`${name}\`.* TO '${name}'@'%'`)
  await admin.end()
  project.provide('hyperdriveUrl', `mysql://${name}:${password}@${server.host}:${server.port}/${name}`)
  return async () => {
    const dropper = await createConnection(server)
    await dropper.query(`DROP DATABASE IF EXISTS \`${name}\``)
    await dropper.query(`DROP USER IF EXISTS '${name}'@'%'`)
    await dropper.end()
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    hyperdriveUrl: string
  }
}
