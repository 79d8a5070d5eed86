import Papa from 'papaparse'
import { z } from 'zod'
import { DomainError } from '../../workflow/errors.js'
import { firstSheetRows } from './xlsx-sheet.js'

/**
 * The body of every import route: the CSV text, or an .xlsx as base64 (the 1 MB body limit allows
 * a ~700 KB workbook), exactly one of the two:
 *
 *   z.object({ ...importSourceFields, dryRun: z.boolean() }).refine(oneSource.check, oneSource.issue)
 */
export const importSourceFields = {
  csv: z.string().min(1).max(900_000).optional(),
  xlsx: z.string().min(1).max(960_000).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'xlsx 必须是 base64 / xlsx must be base64').optional(),
}
export const oneSource = {
  check: (b: { csv?: unknown; xlsx?: unknown }) => (b.csv === undefined) !== (b.xlsx === undefined),
  issue: { message: '请提供 csv 或 xlsx 其中之一 / give either csv or xlsx', path: ['csv'] as PropertyKey[] },
}

/**
 * What the CSV importers read. A workbook's first sheet becomes the same CSV text, so XLSX and
 * CSV uploads go through one parser and one set of checks, with the same line numbers.
 */
export async function importText(source: { csv?: string; xlsx?: string }): Promise<string> {
  if (source.csv !== undefined) {
    // U+FFFD is what a UTF-8 reader leaves of bytes in another encoding (a GBK file from Excel): stored, the names would stay garbled.
    if (source.csv.includes('\uFFFD')) throw new DomainError('VALIDATION', '文件编码无法识别，请另存为 UTF-8 CSV', 'the file’s encoding is not recognised; save it as UTF-8 CSV')
    return source.csv
  }
  const bytes = Uint8Array.from(atob(source.xlsx ?? ''), (ch) => ch.charCodeAt(0))
  const rows = await firstSheetRows(bytes)
  if (rows.length === 0) throw new DomainError('VALIDATION', 'XLSX 第一个工作表是空的', 'the first sheet of the XLSX is empty')
  // Excel leaves out trailing empty cells; the CSV parser wants every row as wide as the header.
  const width = Math.max(...rows.map((r) => r.length))
  return Papa.unparse(rows.map((r) => [...r, ...Array<string>(width - r.length).fill('')]), { newline: '\n' })
}
