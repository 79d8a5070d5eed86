import { XMLParser } from 'fast-xml-parser'
import { DomainError } from '../../workflow/errors.js'
import { ZipEntries } from './zip-entries.js'

type Node = Record<string, unknown>

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (name) => ['sheet', 'Relationship', 'si', 'r', 'row', 'c'].includes(name),
})

const notASheet = (en: string) => new DomainError('VALIDATION', '文件不是有效的 XLSX 工作簿', `not a valid XLSX workbook: ${en}`)

/** Far beyond any employee or mapping sheet, and small enough that a forged row or column number cannot exhaust memory. */
const MAX_ROWS = 50_000
const MAX_COLUMNS = 200

async function xml(zip: ZipEntries, name: string): Promise<Node> {
  const text = new TextDecoder().decode(await zip.read(name))
  try {
    return parser.parse(text) as Node
  } catch {
    throw notASheet(`${name} is not readable XML`)
  }
}

/** `<t>` is a string, or `{ '#text': … }` when it carries xml:space="preserve". */
const text = (t: unknown): string => (typeof t === 'string' ? t : t && typeof t === 'object' ? String((t as Node)['#text'] ?? '') : '')

/** A shared or inline string: plain `<t>`, or rich-text runs `<r><t>` (phonetic `<rPh>` is not part of the value). */
const stringItem = (item: Node): string => (item.t !== undefined ? text(item.t) : ((item.r as Node[] | undefined) ?? []).map((run) => text(run.t)).join(''))

/** "C12" → 2 (zero-based column). */
function columnOf(ref: string): number {
  let column = 0
  for (const ch of /^[A-Z]+/.exec(ref)?.[0] ?? '') column = column * 26 + ch.charCodeAt(0) - 64
  return column - 1
}

/** Where the workbook's first sheet lives: workbook.xml names it, its relationships file points to the part. */
async function firstSheetPath(zip: ZipEntries): Promise<string> {
  const sheets = ((await xml(zip, 'xl/workbook.xml')).workbook as Node | undefined)?.sheets as Node | undefined
  const first = (sheets?.sheet as Node[] | undefined)?.[0]
  if (!first) throw notASheet('the workbook has no sheet')
  const relations = ((await xml(zip, 'xl/_rels/workbook.xml.rels')).Relationships as Node | undefined)?.Relationship as Node[] | undefined
  const target = relations?.find((r) => r['@_Id'] === first['@_id'])?.['@_Target']
  if (typeof target !== 'string') throw notASheet('the first sheet has no part')
  return target.startsWith('/') ? target.slice(1) : `xl/${target}`
}

/**
 * The first worksheet of an .xlsx as rows of cell texts, as a person sees them in Excel: shared,
 * inline and formula strings, numbers as stored, booleans as true/false. Rows and cells keep their
 * positions (empty ones stay empty), so row N of the sheet is line N of the equivalent CSV.
 */
export async function firstSheetRows(bytes: Uint8Array): Promise<string[][]> {
  const zip = new ZipEntries(bytes)
  if (!zip.has('xl/workbook.xml')) throw notASheet('no xl/workbook.xml (is it an old .xls? save it as .xlsx or CSV)')
  const shared = zip.has('xl/sharedStrings.xml') ? ((((await xml(zip, 'xl/sharedStrings.xml')).sst as Node | undefined)?.si as Node[] | undefined) ?? []).map(stringItem) : []
  const sheetData = (((await xml(zip, await firstSheetPath(zip))).worksheet as Node | undefined)?.sheetData as Node | undefined) ?? {}
  const rows: string[][] = []
  for (const row of (sheetData.row as Node[] | undefined) ?? []) {
    const index = row['@_r'] ? Number(row['@_r']) - 1 : rows.length
    if (!Number.isInteger(index) || index < 0 || index >= MAX_ROWS) throw new DomainError('VALIDATION', `工作表超过 ${MAX_ROWS} 行`, `the sheet has more than ${MAX_ROWS} rows`)
    const cells: string[] = []
    for (const cell of (row.c as Node[] | undefined) ?? []) {
      const column = typeof cell['@_r'] === 'string' ? columnOf(cell['@_r']) : cells.length
      if (column < 0 || column >= MAX_COLUMNS) throw new DomainError('VALIDATION', `工作表超过 ${MAX_COLUMNS} 列`, `the sheet has more than ${MAX_COLUMNS} columns`)
      const value = text(cell.v)
      switch (cell['@_t']) {
        case 's':
          cells[column] = shared[Number(value)] ?? ''
          break
        case 'inlineStr':
          cells[column] = cell.is ? stringItem(cell.is as Node) : ''
          break
        case 'b':
          cells[column] = value === '1' ? 'true' : 'false'
          break
        case 'e':
          cells[column] = ''
          break
        default:
          cells[column] = value
      }
    }
    rows[index] = Array.from(cells, (c) => c ?? '')
  }
  return Array.from(rows, (r) => r ?? [])
}
