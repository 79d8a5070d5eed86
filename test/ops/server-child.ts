import { spawn, type ChildProcess } from 'node:child_process'

export interface ServerChild {
  baseUrl: string
  /** Everything the process printed so far (JSON log lines). */
  output(): string
  /** Resolves with the exit code once the process is gone. */
  exited: Promise<number | null>
  signal(name: NodeJS.Signals): void
}

/**
 * The real server (`server/node.ts`), as `npm start` runs it, in a child process with exactly the
 * given settings (chat, LLM and database variables of the outer environment are dropped), ready
 * once /healthz answers. `cwd`: another checkout of the code (an older release).
 */
export async function startServerChild(port: number, settings: Record<string, string>, options: { cwd?: string } = {}): Promise<ServerChild> {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!/^(FEISHU_|DINGTALK_|OPENAI_|DATABASE_URL|DEV_MODE|METRICS_|RATE_LIMIT_)/.test(key)) env[key] = value
  Object.assign(env, { PORT: String(port), HOST: '127.0.0.1', ...settings })
  let log = ''
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/node.ts'], { cwd: options.cwd ?? process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const server: ServerChild = { baseUrl: `http://127.0.0.1:${port}`, output: () => log, exited, signal: (name) => void child.kill(name) }
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode} before /healthz answered:\n${log}`)
    const up = await fetch(`${server.baseUrl}/healthz`).then(
      (r) => r.ok,
      () => false,
    )
    if (up) return server
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  child.kill('SIGKILL')
  throw new Error(`server did not answer /healthz within 60 s:\n${log}`)
}
