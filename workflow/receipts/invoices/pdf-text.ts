/**
 * The text layer of a PDF, for reading e-invoices: lines top to bottom, printed columns within a
 * line separated by a tab. The implementation (a PDF library) is chosen by the runtime entry.
 */
export interface PdfTextReader {
  /** null when the bytes cannot be opened as a PDF; [] when it has no text layer (a scan). */
  lines(bytes: Uint8Array): Promise<string[] | null>
}
