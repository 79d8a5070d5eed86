import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { SECRET_KEY_FILE, deriveKey, loadOrCreateSecretKey } from '../../server/secret-key.js'

describe('APP_SECRET_KEY loader', () => {
  const dirs: string[] = []
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'secret-key-'))
    dirs.push(dir)
    return dir
  }
  afterEach(async () => Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))))

  it('generates a key into the data dir on first start (owner-only) and reads the same key back later', async () => {
    const dir = await tempDir()
    const first = await loadOrCreateSecretKey(undefined, dir)
    expect(first.length).toBeGreaterThanOrEqual(32)
    expect((await stat(join(dir, SECRET_KEY_FILE))).mode & 0o777).toBe(0o600)
    expect(await loadOrCreateSecretKey(undefined, dir)).toBe(first)
    expect(await loadOrCreateSecretKey(undefined, await tempDir())).not.toBe(first)
  })

  it('prefers the configured key and never writes a file for it', async () => {
    const dir = await tempDir()
    expect(await loadOrCreateSecretKey('k'.repeat(40), dir)).toBe('k'.repeat(40))
    await expect(readFile(join(dir, SECRET_KEY_FILE))).rejects.toThrow()
  })

  it('refuses a key file that was truncated', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, SECRET_KEY_FILE), 'short\n')
    await expect(loadOrCreateSecretKey(undefined, dir)).rejects.toThrow(/至少 32/)
  })

  it('derives a different key per purpose', async () => {
    const a = await deriveKey('k'.repeat(40), 'admin-session')
    const b = await deriveKey('k'.repeat(40), 'erp-secrets')
    expect(a).toHaveLength(32)
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false)
    expect(Buffer.from(await deriveKey('k'.repeat(40), 'admin-session')).equals(Buffer.from(a))).toBe(true)
  })
})
