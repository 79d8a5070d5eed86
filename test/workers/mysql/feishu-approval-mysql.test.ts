import { env, runInDurableObject } from 'cloudflare:test'
import { CompiledQuery } from 'kysely'
import { expect, it } from 'vitest'
import { connectHyperdrive, type HyperdriveBinding } from '../../../db/connect-hyperdrive.js'
import { approvalAppOf, type WorkerEnv } from '../../../server/worker.js'
import { feishuJourney, type ReadDatabase } from '../feishu-journey.js'

const workerEnv = env as WorkerEnv

/**
 * From the MySQL database behind the worker's Hyperdrive binding, over a connection of its own:
 * workerd ties a socket to the request that opened it, and each test is a request of its own.
 */
const readMysql: ReadDatabase = async <Row>(query: string, ...params: (string | number)[]) => {
  const database = connectHyperdrive(workerEnv.HYPERDRIVE as HyperdriveBinding)
  try {
    return (await database.db.executeQuery<Row>(CompiledQuery.raw(query, params))).rows as Row[]
  } finally {
    await database.close()
  }
}

feishuJourney('MySQL through Hyperdrive', readMysql)

it('with a Hyperdrive binding the app keeps nothing in the Durable Object storage', async () => {
  const objectTables = await runInDurableObject(approvalAppOf(workerEnv), (_instance, state) =>
    state.storage.sql.exec<{ name: string }>(`select name from sqlite_master where type = 'table' and name not like '\\_cf\\_%' escape '\\'`).toArray(),
  )
  expect(objectTables).toEqual([])
  const mysqlTables = await readMysql<{ n: number }>(`select count(*) as n from information_schema.tables where table_schema = database() and table_name in ('requests', 'ledger_vouchers', 'outbox')`)
  expect(mysqlTables).toEqual([{ n: 3 }])
})
