import { env, runInDurableObject } from 'cloudflare:test'
import { approvalAppOf, type WorkerEnv } from '../../server/worker.js'
import { feishuJourney, type ReadDatabase } from './feishu-journey.js'

/** Straight from the Durable Object's SQLite storage: the Workers database itself. */
const readObjectStorage: ReadDatabase = <Row>(query: string, ...params: (string | number)[]) =>
  runInDurableObject(approvalAppOf(env as WorkerEnv), (_instance, state) => state.storage.sql.exec<Row>(query, ...params).toArray())

feishuJourney('Durable Object storage', readObjectStorage)
