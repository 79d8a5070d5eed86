import { Agent, request } from 'node:http'

/**
 * HTTP load from the bench process (the server under test runs in another), over keep-alive
 * connections as a platform's delivery fleet would hold them. Two shapes:
 * - closed loop: N requests always in flight, as fast as the server answers → requests/s;
 * - open loop: requests sent on a fixed schedule whatever the server does, latency counted from
 *   the scheduled send time, so a stall shows up in the figures instead of slowing the sender.
 */
export interface Shot {
  path: string
  body: string
  headers: Record<string, string>
}

export interface LoadResult {
  sent: number
  ok: number
  failed: number
  seconds: number
  perSecond: number
  latenciesMs: number[]
}

function fire(agent: Agent, base: URL, shot: Shot): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      { agent, host: base.hostname, port: base.port, path: shot.path, method: 'POST', headers: { ...shot.headers, 'content-length': Buffer.byteLength(shot.body) } },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.on('error', () => resolve(0))
    req.end(shot.body)
  })
}

export async function closedLoop(target: string, shots: Shot[], options: { concurrency: number; durationMs: number }): Promise<LoadResult> {
  const base = new URL(target)
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency })
  const latenciesMs: number[] = []
  let next = 0
  let ok = 0
  let failed = 0
  const started = performance.now()
  const deadline = started + options.durationMs
  const lane = async () => {
    while (performance.now() < deadline && next < shots.length) {
      const shot = shots[next++]!
      const sentAt = performance.now()
      const status = await fire(agent, base, shot)
      latenciesMs.push(performance.now() - sentAt)
      if (status === 200) ok++
      else failed++
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, lane))
  const seconds = (performance.now() - started) / 1000
  agent.destroy()
  if (next >= shots.length) throw new Error(`closed loop ran out of prepared requests (${shots.length}); prepare more`)
  return { sent: ok + failed, ok, failed, seconds, perSecond: Math.round((ok + failed) / seconds), latenciesMs }
}

export async function openLoop(target: string, shots: Shot[], options: { perSecond: number; durationMs: number }): Promise<LoadResult> {
  const base = new URL(target)
  const agent = new Agent({ keepAlive: true, maxSockets: 256 })
  const total = Math.min(shots.length, Math.round((options.perSecond * options.durationMs) / 1000))
  const latenciesMs: number[] = []
  const inFlight: Promise<void>[] = []
  let ok = 0
  let failed = 0
  let sent = 0
  const started = performance.now()
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) * options.perSecond) / 1000) + 1)
      for (; sent < due; sent++) {
        const scheduledAt = started + (sent * 1000) / options.perSecond
        inFlight.push(
          fire(agent, base, shots[sent]!).then((status) => {
            latenciesMs.push(performance.now() - scheduledAt)
            if (status === 200) ok++
            else failed++
          }),
        )
      }
      if (sent >= total) {
        clearInterval(tick)
        resolve()
      }
    }, 1)
  })
  await Promise.all(inFlight)
  const seconds = (performance.now() - started) / 1000
  agent.destroy()
  return { sent, ok, failed, seconds, perSecond: Math.round(sent / seconds), latenciesMs }
}
