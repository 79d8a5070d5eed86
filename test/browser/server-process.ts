import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../../scripts/free-port.js'

export interface RunningServer {
  baseUrl: string
  /** stdout + stderr so far, for failure messages. */
  output(): string
  stop(): Promise<void>
}


/**
 * Starts the real server (`server/node.ts`) as a child process in dev mode on a fresh embedded
 * database, the way `npm start` does, and waits for /healthz. Chat-platform and LLM credentials
 * from the outer environment are dropped so the simulator is the chat and no request leaves the machine;
 * `extraEnv` connects a platform to a local fake instead.
 */
export async function startServer(extraEnv: Record<string, string> = {}): Promise<RunningServer> {
  const port = await freePort()
  const dataDir = await mkdtemp(join(tmpdir(), 'dev-page-'))
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(FEISHU_|DINGTALK_|OPENAI_)/.test(key)) env[key] = value
  }
  Object.assign(env, { PORT: String(port), DATABASE_URL: `sqlite:${join(dataDir, 'app.db')}`, DEV_MODE: '1' }, extraEnv)

  let log = ''
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/node.ts'], {
    cwd: process.cwd(),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))

  const server: RunningServer = {
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
        await exited
        clearTimeout(timer)
      }
      await rm(dataDir, { recursive: true, force: true })
    },
  }

  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await server.stop()
      throw new Error(`server exited with code ${child.exitCode} before /healthz answered:\n${log}`)
    }
    try {
      const res = await fetch(`${server.baseUrl}/healthz`)
      if (res.status === 200) return server
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  await server.stop()
  throw new Error(`server did not answer /healthz within 60 s:\n${log}`)
}
