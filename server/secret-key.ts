export const SECRET_KEY_FILE = 'app-secret.key'
const MIN_LENGTH = 32

/**
 * APP_SECRET_KEY when set; otherwise the key generated into `<dataDir>/app-secret.key` on the first
 * start and read back on every later one, so sessions and encrypted ERP secrets survive restarts.
 * Node only: on Workers the key must come from the environment (there is no disk to keep it on),
 * which is why node:fs is imported here, on first use, and not at the top of a module Workers load.
 */
export async function loadOrCreateSecretKey(configured: string | undefined, dataDir = './data'): Promise<string> {
  if (configured) return configured
  const { chmod, mkdir, readFile, writeFile } = await import('node:fs/promises')
  const { dirname, join, resolve } = await import('node:path')
  const path = resolve(join(dataDir, SECRET_KEY_FILE))
  const existing = await readFile(path, 'utf8').then(
    (text) => text.trim(),
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined
      throw error
    },
  )
  if (existing !== undefined) {
    if (existing.length < MIN_LENGTH) throw new Error(`${path}: 密钥太短（至少 ${MIN_LENGTH} 个字符）/ secret key shorter than ${MIN_LENGTH} characters`)
    return existing
  }
  const generated = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')
  await mkdir(dirname(path), { recursive: true })
  // 'wx' fails if another instance created the file in the meantime; then theirs wins.
  try {
    await writeFile(path, `${generated}\n`, { flag: 'wx', mode: 0o600 })
    await chmod(path, 0o600)
    return generated
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return (await readFile(path, 'utf8')).trim()
    throw error
  }
}

/**
 * One key per purpose (sessions, stored secrets, ...) derived from the app key with HMAC-SHA-256,
 * so a leak of one derived key does not expose the others. WebCrypto: runs on Node and Workers.
 */
export async function deriveKey(appSecretKey: string, purpose: string): Promise<Uint8Array> {
  const encoder = new TextEncoder()
  const key = await crypto.subtle.importKey('raw', encoder.encode(appSecretKey), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(`approval-bridge:${purpose}`)))
}
