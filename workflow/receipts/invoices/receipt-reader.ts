import type { ParsedInvoice } from './invoice.js'
import { readInvoiceText } from './invoice-text.js'
import { readInvoiceXml } from './invoice-xml.js'
import type { PdfTextReader } from './pdf-text.js'

/**
 * What a received file turned out to be: an invoice with its fields, a receipt someone has to read,
 * or no receipt at all.
 */
export type ReceiptReading = { reading: 'invoice'; invoice: ParsedInvoice } | { reading: 'manual' | 'other'; note: string }

type FileKind = 'pdf' | 'xml' | 'image' | 'ofd' | 'other'

const startsWith = (bytes: Uint8Array, signature: number[], at = 0) => signature.every((b, i) => bytes[at + i] === b)
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0))

/** By content first (names and MIME types from chat clients are often generic), then by name. */
export function fileKindOf(bytes: Uint8Array, name: string, mimeType: string): FileKind {
  if (startsWith(bytes, ascii('%PDF-'))) return 'pdf'
  const image =
    startsWith(bytes, [0x89, 0x50, 0x4e, 0x47]) ||
    startsWith(bytes, [0xff, 0xd8, 0xff]) ||
    startsWith(bytes, ascii('GIF8')) ||
    (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) ||
    startsWith(bytes, ascii('ftyphei'), 4)
  if (image) return 'image'
  if (startsWith(bytes, ascii('PK'))) return /\.ofd$/i.test(name) ? 'ofd' : 'other'
  const text = new TextDecoder('utf-8').decode(bytes.subarray(0, 64)).replace(/^\uFEFF/, '').trimStart()
  if (text.startsWith('<')) return 'xml'
  if (mimeType.startsWith('image/')) return 'image'
  return 'other'
}

/** XML declares its encoding; older tax-software exports are GBK. */
function decodeXml(bytes: Uint8Array): string {
  const declared = /encoding=["']([\w-]+)["']/i.exec(new TextDecoder('utf-8').decode(bytes.subarray(0, 200)))?.[1]?.toLowerCase()
  try {
    return new TextDecoder(declared === 'gbk' || declared === 'gb2312' || declared === 'gb18030' ? 'gb18030' : 'utf-8').decode(bytes)
  } catch {
    return new TextDecoder('utf-8').decode(bytes)
  }
}

/**
 * Reads an invoice out of a received file where the file carries one as data (XML, a PDF's text
 * layer). Anything else is kept for a person to read, with the reason in plain words: no OCR.
 */
export async function readReceipt(file: { name: string; mimeType: string; bytes: Uint8Array }, pdfText: PdfTextReader | undefined): Promise<ReceiptReading> {
  const manual = (note: string): ReceiptReading => ({ reading: 'manual', note })
  switch (fileKindOf(file.bytes, file.name, file.mimeType)) {
    case 'xml': {
      const read = readInvoiceXml(decodeXml(file.bytes))
      return read.ok ? { reading: 'invoice', invoice: read.invoice } : manual(read.problem)
    }
    case 'pdf': {
      if (!pdfText) return manual('此环境无法读取 PDF 文字层')
      const lines = await pdfText.lines(file.bytes)
      if (lines === null) return manual('PDF 文件已损坏或已加密，无法读取')
      const read = readInvoiceText(lines)
      return read.ok ? { reading: 'invoice', invoice: read.invoice } : manual(read.problem)
    }
    case 'image':
      return manual('图片中的文字无法自动识别（系统不做图像识别）')
    case 'ofd':
      return manual('OFD 格式暂不支持自动识别，可改发同一张发票的 PDF 或 XML 版本')
    case 'other':
      return { reading: 'other', note: '不是发票文件（支持 PDF、XML 电子发票；图片可保存但需手动填写）' }
  }
}
