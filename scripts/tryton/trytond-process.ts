import { spawn, type ChildProcess } from 'node:child_process'
import { openSync, closeSync, readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { freePort } from '../free-port.js'

/**
 * Runs one trytond on 127.0.0.1 over a SQLite directory: writes its config, starts it on a free
 * port, waits until it answers JSON-RPC, and stops it again.
 */

export interface TrytondProcess {
  url: string
  port: number
  /** The directory holding trytond.conf, server.log and db/<database>.sqlite. */
  dir: string
  stop(): Promise<void>
}

export function databaseFile(dir: string, database: string): string {
  return join(dir, 'db', `${database}.sqlite`)
}

/** Writes trytond.conf (SQLite under dir/db, given port); values only, no inline comments (configparser keeps them). */
export async function writeTrytondConfig(dir: string, port: number): Promise<string> {
  await mkdir(join(dir, 'db'), { recursive: true })
  const file = join(dir, 'trytond.conf')
  const lines = ['[database]', 'uri = sqlite://', `path = ${join(dir, 'db')}`, '[web]', `listen = 127.0.0.1:${port}`, '[session]', 'timeout = 3600']
  await writeFile(file, `${lines.join('\n')}\n`)
  return file
}

const running = new Set<ChildProcess>()
// A crashed test run must not leave servers behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

export async function startTrytond(dir: string, port?: number): Promise<TrytondProcess> {
  const listenPort = port ?? (await freePort())
  const config = await writeTrytondConfig(dir, listenPort)
  const logFile = join(dir, 'server.log')
  const log = openSync(logFile, 'a')
  const child = spawn('trytond', ['-c', config], { stdio: ['ignore', log, log] })
  closeSync(log)
  running.add(child)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.once('exit', () => running.delete(child))
  const url = `http://127.0.0.1:${listenPort}`
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000)
    await exited
    clearTimeout(killer)
  }
  try {
    await waitUntilAnswering(url, child, logFile)
  } catch (error) {
    await stop()
    throw error
  }
  return { url, port: listenPort, dir, stop }
}

async function waitUntilAnswering(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`trytond exited (${child.exitCode}):\n${tail(logFile)}`)
    try {
      const response = await fetch(`${url}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 0, method: 'common.server.version', params: [] }),
        signal: AbortSignal.timeout(1_000),
      })
      if (response.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`trytond did not answer on ${url} within 20 s:\n${tail(logFile)}`)
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n')
  } catch {
    return '(no log)'
  }
}
