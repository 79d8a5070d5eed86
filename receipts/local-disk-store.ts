import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { parseDatabaseUrl } from '../db/connect.js'
import { isStorageKey, type AttachmentStore } from '../workflow/receipts/attachments/attachment-store.js'

export const DEFAULT_ATTACHMENTS_DIR = './data/attachments'

/**
 * Beside the embedded database (./data/attachments for the default ./data/app.db), so one data
 * directory holds everything; ./data/attachments when the database is MySQL.
 */
export function attachmentsDirFor(databaseUrl: string | undefined): string {
  const database = parseDatabaseUrl(databaseUrl)
  return database.kind === 'sqlite' && database.path !== ':memory:' ? join(dirname(database.path), 'attachments') : DEFAULT_ATTACHMENTS_DIR
}

/** Attachments as files under one directory (default ./data/attachments, beside the embedded DB). */
export class LocalDiskStore implements AttachmentStore {
  private readonly root: string

  constructor(directory: string = DEFAULT_ATTACHMENTS_DIR) {
    this.root = resolve(directory)
  }

  get describe(): string {
    return `local disk ${this.root}`
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const path = this.pathOf(key)
    await mkdir(dirname(path), { recursive: true })
    // Written aside and renamed: a reader never sees half a file, a crash leaves no torn one.
    const partial = `${path}.${crypto.randomUUID()}.part`
    await writeFile(partial, bytes)
    await rename(partial, path)
  }

  async get(key: string): Promise<Uint8Array | null> {
    try {
      return new Uint8Array(await readFile(this.pathOf(key)))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw error
    }
  }

  private pathOf(key: string): string {
    if (!isStorageKey(key)) throw new Error(`invalid attachment key: ${key}`)
    return join(this.root, key)
  }
}
