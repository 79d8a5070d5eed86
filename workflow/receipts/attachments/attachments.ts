import type { Kysely } from 'kysely'
import type { AttachmentRow, Schema } from '../../../db/schema.js'
import { inTransaction } from '../../../db/transaction.js'
import { appendAudit } from '../../audit.js'
import { DomainError } from '../../errors.js'
import { companyMonth } from '../../shanghai-time.js'
import { invoiceKeyOf, type ParsedInvoice } from '../invoices/invoice.js'
import type { PdfTextReader } from '../invoices/pdf-text.js'
import { readReceipt } from '../invoices/receipt-reader.js'
import type { AttachmentStore } from './attachment-store.js'

export interface IncomingFile {
  name: string
  mimeType: string
  bytes: Uint8Array
}

export interface StoredAttachment {
  id: string
  ownerId: string
  requestId: string | null
  name: string
  mimeType: string
  sizeBytes: number
  sha256: string
  /**
   * invoice: its fields were read; manual: a person has to read it (readingNote says why); other:
   * no receipt at all (a text file), kept but proving no cost.
   */
  reading: 'invoice' | 'manual' | 'other'
  readingNote: string | null
  invoice: ParsedInvoice | null
  invoiceKey: string | null
  createdAt: number
}

/** Chat platforms allow larger files, but no invoice or receipt photo needs more. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
/** A file sent before its claim is typed waits this long to be attached to the sender's next claim. */
export const LOOSE_ATTACHMENT_TTL_MS = 24 * 60 * 60 * 1000

export function toStoredAttachment(row: AttachmentRow): StoredAttachment {
  return {
    id: row.id,
    ownerId: row.owner_id,
    requestId: row.request_id,
    name: row.name,
    mimeType: row.mime_type,
    sizeBytes: Number(row.size_bytes),
    sha256: row.sha256,
    reading: row.reading === 'invoice' || row.reading === 'other' ? row.reading : 'manual',
    readingNote: row.reading_note,
    invoice: row.invoice ? (JSON.parse(row.invoice) as ParsedInvoice) : null,
    invoiceKey: row.invoice_key,
    createdAt: Number(row.created_at),
  }
}

/** Whether a file can prove a cost (what RECEIPT_REQUIRED asks for). */
export const isReceipt = (file: Pick<StoredAttachment, 'reading'>) => file.reading !== 'other'

/** A request's files, in the order they were received. */
export async function attachmentsOfRequest(db: Kysely<Schema>, requestId: string): Promise<StoredAttachment[]> {
  const rows = await db.selectFrom('attachments').selectAll().where('request_id', '=', requestId).orderBy('created_at').orderBy('id').execute()
  return rows.map(toStoredAttachment)
}

/** A name safe to show and to send back in Content-Disposition: no path, no control characters. */
function cleanName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? ''
  const clean = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim()
  return (clean || '附件').slice(0, 200)
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new Uint8Array(bytes))
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

/**
 * Files employees send the bot: stored, read (an invoice's fields when the file carries them),
 * and linked to the claim they belong to. Until linked, a file is its sender's alone; after, it
 * is seen by whoever may see the request.
 */
export class Attachments {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly store: AttachmentStore | undefined,
    private readonly pdfText: PdfTextReader | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** False where no store is configured (e.g. on Workers without object storage). */
  get enabled(): boolean {
    return this.store !== undefined
  }

  async receive(ownerId: string, platform: string, file: IncomingFile): Promise<StoredAttachment> {
    const store = this.store
    if (!store) throw new DomainError('INVALID_STATE', '管理员尚未配置附件存储，暂时不能接收文件', 'attachment storage is not configured')
    if (file.bytes.byteLength === 0) throw new DomainError('VALIDATION', `文件「${cleanName(file.name)}」是空的`, 'the file is empty')
    if (file.bytes.byteLength > MAX_ATTACHMENT_BYTES) {
      throw new DomainError('VALIDATION', `文件「${cleanName(file.name)}」超过 ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB，请压缩后再发`, 'the file is larger than 10 MB')
    }
    const now = this.now()
    const id = crypto.randomUUID()
    const key = `${companyMonth(now)}/${id}`
    const read = await readReceipt(file, this.pdfText)
    const invoice = read.reading === 'invoice' ? read.invoice : null
    const row: AttachmentRow = {
      id,
      owner_id: ownerId,
      request_id: null,
      platform,
      name: cleanName(file.name),
      mime_type: file.mimeType.slice(0, 100) || 'application/octet-stream',
      size_bytes: file.bytes.byteLength,
      sha256: await sha256Hex(file.bytes),
      storage_key: key,
      reading: read.reading,
      reading_note: read.reading === 'invoice' ? null : read.note.slice(0, 500),
      invoice: invoice && JSON.stringify(invoice),
      invoice_key: invoice && invoiceKeyOf(invoice),
      created_at: now,
      linked_at: null,
    }
    // Bytes first: a row never points at a file that was not written.
    await store.put(key, file.bytes, row.mime_type)
    await inTransaction(this.db, async (trx) => {
      await trx.insertInto('attachments').values(row).execute()
      await appendAudit(trx, { at: now, actorId: ownerId, action: 'attachment.received', entityType: 'attachment', entityId: id, after: { name: row.name, sha256: row.sha256, sizeBytes: row.size_bytes, reading: row.reading, invoiceKey: row.invoice_key } })
    })
    return toStoredAttachment(row)
  }

  /** The sender's recent files that no claim has taken or held, oldest first: the next claim typed takes them. */
  async loose(ownerId: string): Promise<StoredAttachment[]> {
    const rows = await this.db
      .selectFrom('attachments')
      .selectAll()
      .where('owner_id', '=', ownerId)
      .where('request_id', 'is', null)
      .where('linked_at', 'is', null)
      .where('created_at', '>=', this.now() - LOOSE_ATTACHMENT_TTL_MS)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
    return rows.map(toStoredAttachment)
  }

  /**
   * Sets the owner's loose files aside for the claim being filled in that they were sent for (its
   * dialogue records their ids): no other claim takes them, even when that one is dropped. Marked
   * by a linked_at with no request.
   */
  async hold(ownerId: string, attachmentIds: readonly string[]): Promise<void> {
    if (attachmentIds.length === 0) return
    await this.db
      .updateTable('attachments')
      .set({ linked_at: this.now() })
      .where('id', 'in', [...attachmentIds])
      .where('owner_id', '=', ownerId)
      .where('request_id', 'is', null)
      .where('linked_at', 'is', null)
      .execute()
  }

  /** The owner's files among `attachmentIds` that no request has taken, in the order they were received. */
  async unlinked(ownerId: string, attachmentIds: readonly string[]): Promise<StoredAttachment[]> {
    if (attachmentIds.length === 0) return []
    const rows = await this.db
      .selectFrom('attachments')
      .selectAll()
      .where('id', 'in', [...attachmentIds])
      .where('owner_id', '=', ownerId)
      .where('request_id', 'is', null)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
    return rows.map(toStoredAttachment)
  }

  /** Attaches the owner's loose or held files to a request; files already linked elsewhere stay where they are. */
  async link(ownerId: string, attachmentIds: readonly string[], requestId: string): Promise<number> {
    if (attachmentIds.length === 0) return 0
    const result = await this.db
      .updateTable('attachments')
      .set({ request_id: requestId, linked_at: this.now() })
      .where('id', 'in', [...attachmentIds])
      .where('owner_id', '=', ownerId)
      .where('request_id', 'is', null)
      .executeTakeFirst()
    return Number(result.numUpdatedRows)
  }

  ofRequest(requestId: string): Promise<StoredAttachment[]> {
    return attachmentsOfRequest(this.db, requestId)
  }

  async find(id: string): Promise<StoredAttachment | undefined> {
    const row = await this.db.selectFrom('attachments').selectAll().where('id', '=', id).executeTakeFirst()
    return row && toStoredAttachment(row)
  }

  /** The bytes; null when the store has lost them (the row still documents what was received). */
  async content(id: string): Promise<Uint8Array | null> {
    const row = await this.db.selectFrom('attachments').select('storage_key').where('id', '=', id).executeTakeFirst()
    if (!row || !this.store) return null
    return this.store.get(row.storage_key)
  }
}
