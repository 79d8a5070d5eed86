import Papa from 'papaparse'
import { companyDateTime } from '../../workflow/shanghai-time.js'
import type { AuditItem } from './audit-data.js'

/** The export an auditor opens in Excel: UTF-8 with BOM so Chinese shows, one row per entry. */
export function auditCsv(items: readonly AuditItem[]): string {
  const rows = items.map((i) => ({
    id: i.id,
    time: companyDateTime(i.at),
    actor_id: i.actorId ?? '',
    actor: i.actorName ?? '',
    action: i.action,
    entity_type: i.entityType,
    entity_id: i.entityId,
    request_no: i.requestNo ?? '',
    before: i.before === null ? '' : JSON.stringify(i.before),
    after: i.after === null ? '' : JSON.stringify(i.after),
  }))
  // escapeFormulae: a cell starting with = + - @ is not run as a formula by the spreadsheet.
  return `\uFEFF${Papa.unparse(rows, { escapeFormulae: true, newline: '\r\n' })}`
}
