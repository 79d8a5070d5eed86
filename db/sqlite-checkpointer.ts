import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

export interface CheckpointOptions {
  /** How often the thread copies the WAL back into the database file. */
  intervalMs?: number
  /**
   * WAL pages past which the thread checkpoints with RESTART, holding writers off for the short tail the
   * passive checkpoints left, so that the next commit starts the WAL over.
   */
  restartPages?: number
}

export interface Checkpointer {
  /** Closes the thread's connection; the caller's connection, closed last, then removes the WAL. */
  stop(): Promise<void>
}

const DEFAULT_INTERVAL_MS = 250
// 4,096 pages of 4 KiB: a 16 MiB WAL, a few seconds of the heaviest load the ack bench makes.
const DEFAULT_RESTART_PAGES = 4096

/*
 * CommonJS, run with `eval` so that the same code works under tsx, vitest and the esbuild bundle without a
 * second entry point. A PASSIVE checkpoint never waits for the writer, so the app's commits go on while
 * this thread copies pages and flushes the file. Under steady writes a passive checkpoint can never catch
 * up with the WAL's end (commits land during its own fsync), and SQLite only starts the WAL over once it
 * has, so past restartPages one RESTART checkpoint finishes the job.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.libsql)
const db = new Database(workerData.path)
db.exec('PRAGMA busy_timeout = 5000')
const passive = db.prepare('PRAGMA wal_checkpoint(PASSIVE)')
const restart = db.prepare('PRAGMA wal_checkpoint(RESTART)')
const timer = setInterval(() => {
  try {
    const { log } = passive.get()
    if (log >= workerData.restartPages) restart.get()
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) })
  }
}, workerData.intervalMs)
parentPort.on('message', () => {
  clearInterval(timer)
  db.close()
  parentPort.close()
})
`

const libsqlEntry = createRequire(import.meta.url).resolve('libsql')

/**
 * SQLite checkpoints inside the commit that takes the WAL past 1,000 pages, and that checkpoint's two
 * fsyncs stalled the synchronous driver's event loop 27–70 ms each time (50 µs per dedupe row against
 * 18 µs without). Here the connection at `path` stops checkpointing itself and a worker thread with its
 * own connection does it. Should the thread fail, the connection goes back to checkpointing itself.
 */
export function startCheckpointer(path: string, useOwnCheckpoints: (on: boolean) => void, options: CheckpointOptions = {}): Checkpointer {
  useOwnCheckpoints(false)
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { libsql: libsqlEntry, path, intervalMs: options.intervalMs ?? DEFAULT_INTERVAL_MS, restartPages: options.restartPages ?? DEFAULT_RESTART_PAGES },
  })
  worker.unref()
  let running = true
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
  const fallBack = (why: unknown) => {
    if (!running) return
    running = false
    useOwnCheckpoints(true)
    process.emitWarning(`SQLite checkpoint thread failed, the connection checkpoints itself again: ${String(why)}`, 'SqliteCheckpointWarning')
    void worker.terminate()
  }
  worker.on('error', fallBack)
  worker.on('message', (message: { error?: string }) => fallBack(message.error))
  return {
    async stop() {
      if (!running) return exited
      running = false
      // Unreferenced so that it never keeps the process alive, it must be referenced while it is awaited.
      worker.ref()
      worker.postMessage('stop')
      await exited
    },
  }
}
