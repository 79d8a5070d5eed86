import type { PdfTextReader } from '../workflow/receipts/invoices/pdf-text.js'

interface PositionedText {
  str: string
  x: number
  y: number
  width: number
  size: number
}

/** Invoices are one page; a long item list may run onto a second. */
const MAX_PAGES = 3

type Pdfjs = typeof import('pdfjs-dist/legacy/build/pdf.mjs')
let pdfjs: Promise<Pdfjs> | undefined

/**
 * pdf.js (Mozilla's maintained PDF library, legacy build for Node) as the PdfTextReader. Loaded on
 * the first PDF, so starting the server does not pay for it. Fonts are never rendered or
 * evaluated: only the text content, with each run's position, is asked for.
 */
export class PdfjsTextReader implements PdfTextReader {
  async lines(bytes: Uint8Array): Promise<string[] | null> {
    const { getDocument } = await (pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs'))
    // pdf.js takes ownership of (and detaches) the buffer it is given.
    const task = getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0 })
    try {
      const document = await task.promise
      const lines: string[] = []
      for (let n = 1; n <= Math.min(document.numPages, MAX_PAGES); n++) {
        const page = await document.getPage(n)
        const content = await page.getTextContent()
        const runs = content.items.flatMap((item): PositionedText[] =>
          'str' in item && item.str.trim() !== ''
            ? [{ str: item.str, x: item.transform[4] as number, y: item.transform[5] as number, width: item.width, size: Math.hypot(item.transform[2] as number, item.transform[3] as number) || item.height || 10 }]
            : [],
        )
        lines.push(...toLines(runs))
      }
      return lines
    } catch {
      return null
    } finally {
      await task.destroy()
    }
  }
}

/**
 * Runs whose baselines are within half a font size form one line; within it, a gap wider than
 * one and a half characters is a column break (tab), a narrower visible gap a space.
 */
function toLines(runs: PositionedText[]): string[] {
  const sorted = [...runs].sort((a, b) => b.y - a.y || a.x - b.x)
  const rows: PositionedText[][] = []
  for (const run of sorted) {
    const row = rows.at(-1)
    if (row && Math.abs(row[0]!.y - run.y) <= Math.max(row[0]!.size, run.size) / 2) row.push(run)
    else rows.push([run])
  }
  return rows.map((row) => {
    row.sort((a, b) => a.x - b.x)
    let line = ''
    let end = -Infinity
    for (const run of row) {
      const gap = run.x - end
      if (line !== '') line += gap > run.size * 1.5 ? '\t' : gap > run.size * 0.2 ? ' ' : ''
      line += run.str
      end = run.x + run.width
    }
    return line.trim()
  })
}
