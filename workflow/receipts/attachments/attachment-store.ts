/**
 * Where attachment bytes live: local disk by default (receipts/local-disk-store.ts), S3-compatible
 * object storage when configured. The database keeps only the key and what was read.
 */
export interface AttachmentStore {
  /** For logs: where files go, without credentials. */
  readonly describe: string
  put(key: string, bytes: Uint8Array, mimeType: string): Promise<void>
  /** null when nothing is stored under the key. */
  get(key: string): Promise<Uint8Array | null>
}

/** Keys are ours ("2026/11/<uuid>"): lower-case letters, digits, dashes and slashes, never "..". */
export function isStorageKey(key: string): boolean {
  return /^[a-z0-9][a-z0-9/-]{0,200}$/.test(key) && !key.includes('//')
}
