import { DomainError } from '../../workflow/errors.js'

/** Larger than any employee sheet an admin uploads; stops a zip bomb before it fills memory. */
const MAX_ENTRY_BYTES = 32 * 1024 * 1024

const corrupt = (en: string) => new DomainError('VALIDATION', '文件不是有效的 XLSX（ZIP 结构损坏）', `not a valid XLSX file: ${en}`)

let crcTable: Uint32Array | undefined
function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      crcTable[n] = c >>> 0
    }
  }
  let crc = 0xffffffff
  for (const byte of bytes) crc = crcTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

/** DecompressionStream, not node:zlib: the import routes run on Workers too. Reads chunk by chunk so a bomb stops at the cap. */
async function inflateRaw(data: Uint8Array, expected: number): Promise<Uint8Array> {
  const reader = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader()
  const out = new Uint8Array(expected)
  let length = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (length + value.length > expected) throw corrupt('an entry is larger than its header says')
      out.set(value, length)
      length += value.length
    }
  } catch (error) {
    if (error instanceof DomainError) throw error
    throw corrupt('an entry does not inflate')
  } finally {
    reader.releaseLock()
  }
  if (length !== expected) throw corrupt('an entry is shorter than its header says')
  return out
}

/**
 * The files inside a ZIP archive (an .xlsx is one), read from its central directory; each is
 * inflated only when asked for. Stored and deflated entries only, no ZIP64, no encryption: what
 * Excel, WPS and Numbers write. Every entry's CRC-32 is checked.
 */
export class ZipEntries {
  private readonly entries = new Map<string, { method: number; flags: number; crc: number; compressedSize: number; size: number; localOffset: number }>()
  private readonly view: DataView

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    let end = -1
    for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
      if (this.view.getUint32(i, true) === 0x06054b50) {
        end = i
        break
      }
    }
    if (end < 0) throw corrupt('no end of central directory')
    const count = this.view.getUint16(end + 10, true)
    let at = this.view.getUint32(end + 16, true)
    const decoder = new TextDecoder()
    for (let i = 0; i < count; i++) {
      if (at + 46 > bytes.length || this.view.getUint32(at, true) !== 0x02014b50) throw corrupt('bad central directory entry')
      const nameLength = this.view.getUint16(at + 28, true)
      const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength))
      this.entries.set(name, {
        flags: this.view.getUint16(at + 8, true),
        method: this.view.getUint16(at + 10, true),
        crc: this.view.getUint32(at + 16, true),
        compressedSize: this.view.getUint32(at + 20, true),
        size: this.view.getUint32(at + 24, true),
        localOffset: this.view.getUint32(at + 42, true),
      })
      at += 46 + nameLength + this.view.getUint16(at + 30, true) + this.view.getUint16(at + 32, true)
    }
  }

  has(name: string): boolean {
    return this.entries.has(name)
  }

  async read(name: string): Promise<Uint8Array> {
    const entry = this.entries.get(name)
    if (!entry) throw corrupt(`${name} is missing`)
    if (entry.flags & 1) throw new DomainError('VALIDATION', 'XLSX 文件已加密，请先取消密码保护', 'the XLSX file is encrypted; remove its password first')
    if (entry.size > MAX_ENTRY_BYTES || entry.compressedSize === 0xffffffff) throw new DomainError('VALIDATION', 'XLSX 文件过大', 'the XLSX file is too large')
    const at = entry.localOffset
    if (at + 30 > this.bytes.length || this.view.getUint32(at, true) !== 0x04034b50) throw corrupt('bad local header')
    const start = at + 30 + this.view.getUint16(at + 26, true) + this.view.getUint16(at + 28, true)
    const data = this.bytes.subarray(start, start + entry.compressedSize)
    if (data.length !== entry.compressedSize) throw corrupt('truncated')
    const content = entry.method === 0 ? data : entry.method === 8 ? await inflateRaw(data, entry.size) : undefined
    if (!content) throw corrupt(`compression method ${entry.method} is not supported`)
    if (content.length !== entry.size || crc32(content) !== entry.crc) throw corrupt(`${name} fails its CRC check`)
    return content
  }
}
