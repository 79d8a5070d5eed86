import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Hono } from 'hono'
import type { Card } from '../../bot/cards/card.js'
import type { ChatIntegration } from '../../bot/chat-integration.js'
import { createParserFromEnv } from '../../bot/nlu/parser-from-env.js'
import type { SimulatorItem } from '../../bot/platforms/dev/dev-platform.js'
import type { DbHandle } from '../../db/connect.js'
import { seedDemoOrg } from '../../db/seeds/demo-org.js'
import { LocalDiskStore } from '../../receipts/local-disk-store.js'
import { PdfjsTextReader } from '../../receipts/pdfjs-text-reader.js'
import { createApp } from '../../server/app.js'
import type { RequestSummariser } from '../../workflow/receipts/summaries/request-summary.js'
import { composeSystem, type System } from '../../server/compose.js'
import { freshDatabase, type TestDbKind } from '../helpers/databases.js'

export interface Upload {
  name: string
  mimeType: string
  bytes: Uint8Array
}

/**
 * The real app with the Node receipt parts (files on a temporary disk directory, pdf.js), driven
 * through the simulator API in-process like test/helpers/test-system.ts.
 */
export class ReceiptsSystem {
  private constructor(
    readonly database: DbHandle,
    readonly system: System,
    readonly app: Hono,
    readonly directory: string,
  ) {}

  static async start(kind: TestDbKind, now: () => number, options: { integrations?: (database: DbHandle) => ChatIntegration[]; summariser?: RequestSummariser } = {}): Promise<ReceiptsSystem> {
    const database = await freshDatabase(kind)
    await seedDemoOrg(database.db, now())
    const directory = mkdtempSync(join(tmpdir(), 'attachments-'))
    const integrations = options.integrations?.(database)
    const system = await composeSystem({ database, parser: createParserFromEnv({}), now, integrations, attachments: new LocalDiskStore(directory), pdfText: new PdfjsTextReader(), summariser: options.summariser })
    return new ReceiptsSystem(database, system, createApp(system, { devMode: true }), directory)
  }

  async close(): Promise<void> {
    await Promise.all(this.system.integrations.map((i) => i.stop?.()))
    await this.system.outbox.stop()
    await this.database.close()
    rmSync(this.directory, { recursive: true, force: true })
  }

  /** POST /api/dev/messages, the simulator's contract: text, files as base64, or both. */
  async send(userId: string, text: string, files: Upload[] = []): Promise<{ status: number; messages: SimulatorItem[]; body: unknown }> {
    const attachments = files.map((f) => ({ name: f.name, mimeType: f.mimeType, contentBase64: Buffer.from(f.bytes).toString('base64') }))
    const response = await this.app.request('/api/dev/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId, text, ...(files.length ? { attachments } : {}) }) })
    const body = (await response.json()) as { messages?: SimulatorItem[] }
    return { status: response.status, messages: body.messages ?? [], body }
  }

  async inbox(userId: string): Promise<SimulatorItem[]> {
    return (await this.app.request(`/api/dev/inbox/${userId}`)).json() as Promise<SimulatorItem[]>
  }

  async cards(userId: string, requestNo?: string): Promise<Card[]> {
    const cards = (await this.inbox(userId)).flatMap((item) => (item.card ? [item.card] : []))
    return requestNo ? cards.filter((c) => c.requestNo === requestNo) : cards
  }

  async tap(cardId: string, actionId: string, userId: string, comment?: string): Promise<{ status: number; body: { ok: boolean; message: string } }> {
    const response = await this.app.request(`/api/dev/cards/${encodeURIComponent(cardId)}/actions/${encodeURIComponent(actionId)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId, comment }),
    })
    return { status: response.status, body: (await response.json()) as { ok: boolean; message: string } }
  }
}
