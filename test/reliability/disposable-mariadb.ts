import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { freePort } from '../../scripts/free-port.js'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createConnection } from 'mysql2/promise'

/**
 * A MariaDB server of our own (its own datadir and port, loopback only), for what must not be
 * done to the machine's shared server on :3306: restarting it under load, or filling it with
 * millions of rows. Started as FEASIBILITY.md §6 shows; stopped and removed by `destroy()`.
 */
export interface DisposableMariadb {
  port: number
  /** A mysql:// URL for a database on this server (created by `createDatabase`). */
  url(database: string): string
  createDatabase(name: string): Promise<string>
  /** Clean shutdown (SIGTERM) and start again on the same datadir and port. */
  restart(options?: { downMs?: number }): Promise<void>
  stop(): Promise<void>
  start(): Promise<void>
  destroy(): Promise<void>
}

export interface MariadbOptions {
  /** innodb_buffer_pool_size in MB (the distribution default is 128). */
  bufferPoolMb?: number
  extraArgs?: string[]
}

const MARIADBD = '/usr/sbin/mariadbd'
const INSTALL_DB = '/usr/bin/mariadb-install-db'

export async function startDisposableMariadb(options: MariadbOptions = {}): Promise<DisposableMariadb> {
  const datadir = await mkdtemp(join(tmpdir(), 'mariadb-'))
  const installed = spawnSync(INSTALL_DB, ['--no-defaults', `--datadir=${datadir}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'], { encoding: 'utf8' })
  if (installed.status !== 0) throw new Error(`mariadb-install-db failed: ${installed.stderr || installed.stdout}`)
  const port = await freePort()
  const args = [
    '--no-defaults',
    `--datadir=${datadir}`,
    `--socket=${join(datadir, 'mariadb.sock')}`,
    `--pid-file=${join(datadir, 'mariadb.pid')}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    '--skip-log-bin',
    '--user=root',
    `--innodb-buffer-pool-size=${options.bufferPoolMb ?? 128}M`,
    '--max-connections=500',
    ...(options.extraArgs ?? []),
  ]
  let child: ChildProcess | undefined
  let log = ''
  // If the test process dies first, the server must not outlive it.
  const killOnExit = () => child?.kill('SIGKILL')
  process.once('exit', killOnExit)

  const start = async () => {
    log = ''
    child = spawn(MARIADBD, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()))
    const deadline = Date.now() + 20_000
    for (;;) {
      if (child.exitCode !== null) throw new Error(`mariadbd exited (${child.exitCode}): ${log}`)
      try {
        const connection = await createConnection({ host: '127.0.0.1', port, user: 'root' })
        await connection.end()
        return
      } catch {
        if (Date.now() > deadline) throw new Error(`mariadbd did not answer on :${port}: ${log}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
  }
  const stop = async () => {
    const running = child
    if (!running || running.exitCode !== null || running.signalCode !== null) return
    const exited = once(running, 'exit')
    running.kill('SIGTERM')
    await exited
  }
  await start()

  const url = (database: string) => `mysql://root@127.0.0.1:${port}/${database}`
  return {
    port,
    url,
    async createDatabase(name) {
      const connection = await createConnection({ host: '127.0.0.1', port, user: 'root' })
      await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
      await connection.end()
      return url(name)
    },
    async restart(restartOptions = {}) {
      await stop()
      if (restartOptions.downMs) await new Promise((resolve) => setTimeout(resolve, restartOptions.downMs))
      await start()
    },
    stop,
    start,
    async destroy() {
      await stop()
      process.off('exit', killOnExit)
      await rm(datadir, { recursive: true, force: true })
    },
  }
}
