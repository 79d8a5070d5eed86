import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TrytonClient } from '../../../erp-bridge/adapters/tryton/tryton-client.js'
import type { TrytonConfigInput } from '../../../erp-bridge/adapters/tryton/tryton-config.js'
import { BOOKS } from '../../../scripts/tryton/setup-books.js'
import { ensureTrytonTemplate, TEMPLATE_ADMIN } from '../../../scripts/tryton/template.js'
import { databaseFile, startTrytond, type TrytondProcess } from '../../../scripts/tryton/trytond-process.js'

/**
 * A real trytond for tests: a fresh copy of the initialised template database in a temp
 * directory, served on a free 127.0.0.1 port. Not a fake of Tryton; it is Tryton.
 */
export interface TrytonPeer {
  url: string
  database: string
  /** Settings for TrytonAdapter, logging in as the bridge user set up in the template. */
  adapterConfig: TrytonConfigInput
  /** A client logged in as the admin, for reading records back and for arranging faults. */
  admin: TrytonClient
  /** Stops the server and keeps the database, to test an ERP that is down. */
  stopServer(): Promise<void>
  /** Starts it again on the same port. */
  startServer(): Promise<void>
  /** Stops the server and deletes the database copy. */
  dispose(): Promise<void>
}

export async function startTrytonPeer(): Promise<TrytonPeer> {
  const template = await ensureTrytonTemplate()
  const dir = await mkdtemp(join(tmpdir(), 'tryton-peer-'))
  const database = 'erp'
  await mkdir(join(dir, 'db'))
  await copyFile(template, databaseFile(dir, database))
  let server: TrytondProcess | null = await startTrytond(dir)
  const { url, port } = server
  const admin = new TrytonClient({ url, database, username: TEMPLATE_ADMIN.login, password: TEMPLATE_ADMIN.password, language: 'zh_CN', timeoutMs: 10_000 })
  return {
    url,
    database,
    admin,
    adapterConfig: {
      url,
      database,
      username: BOOKS.bridgeUser.login,
      password: BOOKS.bridgeUser.password,
      timeoutMs: 5_000,
      expenseJournal: BOOKS.expenseJournal,
      expenseAccounts: { ...BOOKS.expenseAccounts },
      payableAccount: BOOKS.payableAccount,
      warehouse: BOOKS.warehouse,
    },
    async stopServer() {
      await server?.stop()
      server = null
    },
    async startServer() {
      server ??= await startTrytond(dir, port)
    },
    async dispose() {
      await server?.stop()
      server = null
      await rm(dir, { recursive: true, force: true })
    },
  }
}
