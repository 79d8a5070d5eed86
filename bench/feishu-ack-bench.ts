import { messageEnvelope } from '../test/fakes/feishu/feishu-event-pusher.js'
import { APP, FeishuHarness, OPEN_ID } from '../test/feishu/feishu-harness.js'
import type { TestDbKind } from '../test/helpers/databases.js'
import { percentile, round } from './percentiles.js'

/**
 * How fast POST /feishu/events acknowledges (Feishu re-pushes anything not answered with 200 in
 * 3 s), measured as Feishu sees it: signed, encrypted events over real HTTP to the real app, with
 * the previous lines still being handled in the background. Also the card-tap answer time (the
 * answer carries the updated card; Feishu allows 3 s for the round trip).
 */
async function measure(kind: TestDbKind, events: number, taps: number): Promise<{ idle: number[]; busy: number[]; inProcess: number[]; answers: number[] }> {
  const h = await FeishuHarness.start(kind)
  const push = async () => {
    const result = await h.pusher.pushEvent(messageEnvelope({ appId: APP.appId, token: APP.verificationToken, openId: OPEN_ID.sunba, text: '帮助' }))
    if (result.status !== 200) throw new Error(`event not acknowledged: ${String(result.status)}`)
    return result.ms
  }
  try {
    const warmUp = 20
    for (let i = 0; i < warmUp; i++) await push()
    await h.settled()
    // Idle: each event arrives after the previous one was fully handled.
    const idle: number[] = []
    for (let i = 0; i < events; i++) {
      idle.push(await push())
      await h.settled()
    }
    // Busy: back to back, while the earlier lines are still being answered.
    const busy: number[] = []
    for (let i = 0; i < events; i++) busy.push(await push())
    await h.settled()
    // In process (app.request, no sockets): what the app itself spends on verify + decrypt + dedupe.
    const inProcess: number[] = []
    for (let i = 0; i < events; i++) {
      const { body, headers } = h.pusher.wire(messageEnvelope({ appId: APP.appId, token: APP.verificationToken, openId: OPEN_ID.sunba, text: '帮助' }))
      const started = performance.now()
      const response = await h.t.app.request('/feishu/events', { method: 'POST', body, headers })
      inProcess.push(performance.now() - started)
      if (response.status !== 200) throw new Error(`event not acknowledged in process: ${response.status}`)
      await h.settled()
    }
    const answers: number[] = []
    for (let i = 0; i < taps; i++) {
      await h.say(OPEN_ID.zhangsan, `提交本月差旅费 ${100 + i}元`)
      const answer = await h.tap(OPEN_ID.zhangsan, h.cardOffering(OPEN_ID.zhangsan, 'cancel'), 'cancel')
      if (answer.body.toast?.type !== 'success') throw new Error(`tap not answered with the card: ${JSON.stringify(answer.body)}`)
      answers.push(answer.ms)
      await h.settled()
    }
    return { idle, busy, inProcess, answers }
  } finally {
    await h.close()
  }
}

export async function runFeishuAckBench(events = 200, taps = 50): Promise<Record<string, number>> {
  const figures: Record<string, number> = {}
  for (const [name, kind] of [['sqlite', 'sqlite'], ['mariadb', 'mysql']] as const) {
    const { idle, busy, inProcess, answers } = await measure(kind, events, taps)
    figures[`${name}: /feishu/events ack in process p50 ms`] = round(percentile(inProcess, 50))
    figures[`${name}: /feishu/events ack in process p99 ms`] = round(percentile(inProcess, 99))
    figures[`${name}: /feishu/events ack (idle) p50 ms`] = round(percentile(idle, 50))
    figures[`${name}: /feishu/events ack (idle) p99 ms`] = round(percentile(idle, 99))
    figures[`${name}: /feishu/events ack (busy) p50 ms`] = round(percentile(busy, 50))
    figures[`${name}: /feishu/events ack (busy) p99 ms`] = round(percentile(busy, 99))
    figures[`${name}: /feishu/events ack (busy) max ms`] = round(Math.max(...busy))
    figures[`${name}: card tap answer (toast + card) p50 ms`] = round(percentile(answers, 50))
    figures[`${name}: card tap answer (toast + card) p99 ms`] = round(percentile(answers, 99))
  }
  return figures
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await runFeishuAckBench())
  process.exit()
}
