import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { buildServer } from '../../scripts/build-server.js'
import { freePort } from '../../scripts/free-port.js'

const root = join(import.meta.dirname, '../..')
const cleanup: string[] = []
afterAll(async () => Promise.all(cleanup.map((dir) => rm(dir, { recursive: true, force: true }))))

describe('npm start: the compiled server', () => {
  it('builds, starts on the embedded defaults, serves the simulator and stops cleanly on SIGTERM', async () => {
    // Inside the checkout, where the compiled file finds node_modules, and apart from dist/node.js.
    await mkdir(join(root, 'dist'), { recursive: true })
    const out = await mkdtemp(join(root, 'dist', 'test-'))
    const data = await mkdtemp(join(tmpdir(), 'node-bundle-'))
    cleanup.push(out, data)
    // A chunk of an earlier build (its name's hash differs) is removed by the next build.
    await mkdir(join(out, 'chunks'))
    await writeFile(join(out, 'chunks', 'feishu-ws-OLDBUILD.js'), 'export {}')
    const compiled = await buildServer(join(out, 'node.js'))
    const chunks = await readdir(join(out, 'chunks'))
    expect(chunks).not.toContain('feishu-ws-OLDBUILD.js')
    expect(chunks.filter((name) => /^feishu-ws-\w+\.js$/.test(name))).toHaveLength(1)
    // The platforms' SDKs (Feishu's long connection ~65 MB, DingTalk's stream ~25 MB) load only when configured.
    expect(await readFile(compiled, 'utf8')).not.toMatch(/from "(@larksuiteoapi\/node-sdk|dingtalk-stream)"/)
    const port = await freePort()
    const env: NodeJS.ProcessEnv = {}
    for (const [key, value] of Object.entries(process.env)) if (!/^(FEISHU_|DINGTALK_|OPENAI_|DATABASE_URL|DEV_MODE|METRICS_|S3_)/.test(key)) env[key] = value
    const child = spawn(process.execPath, ['--enable-source-maps', compiled], {
      cwd: data,
      env: { ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const exited = once(child, 'exit')
    const base = `http://127.0.0.1:${port}`
    let ready: Response | undefined
    for (let i = 0; i < 200 && child.exitCode === null; i++) {
      ready = await fetch(`${base}/readyz`).catch(() => undefined)
      if (ready?.ok) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(ready?.status, output).toBe(200)
    const reply = await fetch(`${base}/api/dev/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'zhangsan', text: '我的报销到哪了' }) })
    expect(reply.status, output).toBe(200)
    expect(JSON.stringify(await reply.json())).toMatch(/报销|申请/)
    expect((await fetch(`${base}/dev`)).status).toBe(200)
    // The embedded default, under the working directory as on a fresh machine.
    expect(existsSync(join(data, 'data', 'app.db'))).toBe(true)
    child.kill('SIGTERM')
    const [code] = await exited
    expect(code, output).toBe(0)
  })
})
