import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { TrytonClient } from '../../erp-bridge/adapters/tryton/tryton-client.js'
import { setUpBooks } from './setup-books.js'
import { databaseFile, startTrytond, writeTrytondConfig } from './trytond-process.js'

/**
 * An initialised Tryton database, built once (module install ~15 s plus the accountant's setup)
 * and cached as a SQLite file, so every test run starts from a copy of it in well under a second.
 * The cache key covers everything that shapes the file: trytond's version, the modules, the
 * languages, the setup script and the fiscal years.
 */

export const TRYTON_MODULES = [
  'account',
  'account_invoice',
  'account_product',
  'purchase',
  'purchase_requisition',
  'company',
  'party',
  'product',
  'stock',
  'project',
  'timesheet_cost',
]
export const TRYTON_LANGUAGES = ['zh_CN']
export const TEMPLATE_ADMIN = { login: 'admin', password: 'admin-pass-2026' }

const run = promisify(execFile)
const here = dirname(fileURLToPath(import.meta.url))

export function templateCacheDir(): string {
  return process.env.TRYTON_TEMPLATE_DIR ?? '/var/tmp/approval-bridge-tryton'
}

/** Fiscal years the template has: last year to next year, so dates around today always have a period. */
export function templateYears(now = new Date()): number[] {
  const year = now.getFullYear()
  return [year - 1, year, year + 1]
}

function trytondVersion(): string {
  // Reading the installed package is instant; `trytond --version` costs a Python start.
  const init = '/usr/lib/python3/dist-packages/trytond/__init__.py'
  if (!existsSync(init)) {
    throw new Error('trytond is not installed: run `bash scripts/tryton/install.sh` (as root) first')
  }
  return /__version__\s*=\s*["']([^"']+)/.exec(readFileSync(init, 'utf8'))?.[1] ?? 'unknown'
}

function templateKey(): string {
  const hash = createHash('sha256')
  hash.update(JSON.stringify({ version: trytondVersion(), modules: TRYTON_MODULES, languages: TRYTON_LANGUAGES, years: templateYears() }))
  for (const file of ['setup-books.ts', 'template.ts']) hash.update(readFileSync(join(here, file)))
  hash.update(readFileSync(join(here, '../../erp-bridge/adapters/ledger/ledger-chart.ts')))
  return hash.digest('hex').slice(0, 16)
}

/** Path of the template SQLite file, building it first when the cache has none for this key. */
export async function ensureTrytonTemplate(): Promise<string> {
  const dir = templateCacheDir()
  const key = templateKey()
  const template = join(dir, `template-${key}.sqlite`)
  if (existsSync(template)) return template
  await mkdir(dir, { recursive: true })
  const lock = join(dir, `build-${key}.lock`)
  // One builder per key; parallel test files wait for it instead of building their own.
  while (!(await takeLock(lock))) {
    if (existsSync(template)) return template
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  try {
    if (!existsSync(template)) await buildTemplate(template)
  } finally {
    await rm(lock, { force: true })
  }
  return template
}

async function takeLock(lock: string): Promise<boolean> {
  try {
    const handle = await open(lock, 'wx')
    await handle.writeFile(String(process.pid))
    await handle.close()
    return true
  } catch {
    const owner = Number(await readFile(lock, 'utf8').catch(() => ''))
    if (owner && !isAlive(owner)) await rm(lock, { force: true })
    return false
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function buildTemplate(target: string): Promise<void> {
  const work = join(tmpdir(), `tryton-template-${process.pid}-${Date.now()}`)
  const database = 'template'
  try {
    const config = await writeTrytondConfig(work, 0)
    await writeFile(databaseFile(work, database), '')
    await writeFile(join(work, 'passfile'), `${TEMPLATE_ADMIN.password}\n`)
    await run(
      'trytond-admin',
      ['-c', config, '-d', database, '--email', 'admin@example.com', '-u', ...TRYTON_MODULES, '--activate-dependencies', '-l', ...TRYTON_LANGUAGES],
      { env: { ...process.env, TRYTONPASSFILE: join(work, 'passfile') }, maxBuffer: 64 * 1024 * 1024 },
    )
    const server = await startTrytond(work)
    try {
      const admin = new TrytonClient({ url: server.url, database, username: TEMPLATE_ADMIN.login, password: TEMPLATE_ADMIN.password, language: 'zh_CN', timeoutMs: 60_000 })
      await setUpBooks(admin, templateYears())
      await admin.logout()
    } finally {
      await server.stop()
    }
    const staged = `${target}.${process.pid}.tmp`
    await rename(databaseFile(work, database), staged).catch(async () => {
      // /tmp and the cache may be different filesystems.
      await writeFile(staged, await readFile(databaseFile(work, database)))
    })
    await rename(staged, target)
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now()
  const path = await ensureTrytonTemplate()
  console.log(`${path} (${((Date.now() - started) / 1000).toFixed(1)} s)`)
}
