/**
 * The fake Odoo's records and ORM: search_read/read/create with Odoo's field checks, and the
 * business methods the adapter calls (account.move.action_post, purchase.order.button_confirm).
 * Field sets follow the version the fake plays, so a field of the wrong version fails the way Odoo
 * fails: ValueError "Invalid field 'unit_amount' on model 'hr.expense'".
 */

export type Row = Record<string, unknown> & { id: number }

export class OdooException extends Error {
  constructor(
    /** Fully qualified, as serialize_exception gives it: odoo.exceptions.UserError, builtins.ValueError... */
    readonly exceptionName: string,
    message: string,
  ) {
    super(message)
  }
}

const userError = (message: string) => new OdooException('odoo.exceptions.UserError', message)

export function fieldsByModel(major: number): Record<string, string[]> {
  return {
    'ir.model': ['model', 'name'],
    'res.users': ['name', 'login'],
    'res.partner': ['name', 'ref'],
    'product.product': ['name', 'default_code'],
    'hr.employee': ['name', 'barcode', 'identification_id'],
    'account.journal': ['name', 'code', 'type'],
    'account.account': ['name', 'code'],
    'account.analytic.account': ['name', 'code'],
    'account.move': ['name', 'state', 'move_type', 'journal_id', 'date', 'ref', 'line_ids'],
    'account.move.line': ['account_id', 'name', 'debit', 'credit', major >= 16 ? 'analytic_distribution' : 'analytic_account_id'],
    'hr.expense': ['name', 'employee_id', 'product_id', 'date', 'payment_mode', 'account_id', 'state', major >= 16 ? 'analytic_distribution' : 'analytic_account_id', ...(major >= 17 ? ['total_amount_currency'] : ['unit_amount', 'quantity'])],
    'purchase.order': ['name', 'state', 'partner_id', 'origin', 'date_order', 'notes', 'order_line'],
    'purchase.order.line': ['product_id', 'name', 'product_qty', 'price_unit'],
  }
}

const MANY2ONE: Record<string, string> = {
  journal_id: 'account.journal',
  account_id: 'account.account',
  employee_id: 'hr.employee',
  product_id: 'product.product',
  partner_id: 'res.partner',
  analytic_account_id: 'account.analytic.account',
}
const ONE2MANY: Record<string, string> = { line_ids: 'account.move.line', order_line: 'purchase.order.line' }
const REQUIRED: Record<string, string[]> = {
  'account.move': ['journal_id'],
  'account.move.line': ['account_id'],
  'hr.expense': ['name', 'employee_id', 'product_id'],
  'purchase.order': ['partner_id'],
  'purchase.order.line': ['product_id', 'product_qty'],
}

export class OdooOrm {
  readonly tables = new Map<string, Row[]>()
  /** Entries dated on or before it cannot be posted (Odoo's lock date). */
  lockDate: string | null = null
  private nextId = 1
  private readonly sequences = new Map<string, number>()
  readonly fields: Record<string, string[]>

  constructor(readonly major: number) {
    this.fields = fieldsByModel(major)
    for (const model of Object.keys(this.fields)) this.tables.set(model, [])
    for (const model of ['account.move', 'hr.expense', 'purchase.order']) this.insert('ir.model', { model, name: model })
  }

  insert(model: string, values: Record<string, unknown>): Row {
    const row = { id: this.nextId++, ...values }
    this.table(model).push(row)
    return row
  }

  call(model: string, method: string, ids: number[], kwargs: Record<string, unknown>, uid: number): unknown {
    this.table(model)
    switch (method) {
      case 'search_read':
        return this.search(model, (kwargs.domain as unknown[]) ?? [])
          .slice(0, typeof kwargs.limit === 'number' ? kwargs.limit : undefined)
          .map((row) => this.project(model, row, kwargs.fields as string[] | undefined))
      case 'read':
        return ids.map((id) => this.project(model, this.get(model, id), kwargs.fields as string[] | undefined))
      case 'create':
        return (kwargs.vals_list as Record<string, unknown>[]).map((values) => this.create(model, values).id)
      case 'context_get':
        return { lang: 'zh_CN', tz: 'Asia/Shanghai', uid }
      case 'action_post':
        return model === 'account.move' ? ids.forEach((id) => this.post(this.get(model, id))) : this.noMethod(model, method)
      case 'button_confirm':
        return model === 'purchase.order' ? ids.forEach((id) => (this.get(model, id).state = 'purchase')) : this.noMethod(model, method)
      default:
        return this.noMethod(model, method)
    }
  }

  private noMethod(model: string, method: string): never {
    throw new OdooException('builtins.AttributeError', `The method '${method}' does not exist on the model '${model}'`)
  }

  private table(model: string): Row[] {
    const rows = this.tables.get(model)
    if (!rows) throw new OdooException('builtins.KeyError', model)
    return rows
  }

  private get(model: string, id: number): Row {
    const row = this.table(model).find((r) => r.id === id)
    if (!row) throw new OdooException('odoo.exceptions.MissingError', `Record does not exist or has been deleted.\n(Record: ${model}(${id},), User: 2)`)
    return row
  }

  private project(model: string, row: Row, fields: string[] | undefined): Record<string, unknown> {
    for (const field of fields ?? []) this.checkField(model, field)
    const names = fields?.length ? fields : this.fields[model]!
    return Object.fromEntries([['id', row.id], ...names.map((f) => [f, row[f] ?? false])])
  }

  private checkField(model: string, field: string): void {
    if (field !== 'id' && !this.fields[model]!.includes(field)) throw new OdooException('builtins.ValueError', `Invalid field '${field}' on model '${model}'`)
  }

  private search(model: string, domain: unknown[]): Row[] {
    return this.table(model).filter((row) =>
      domain.every((leaf) => {
        const [field, operator, value] = leaf as [string, string, unknown]
        this.checkField(model, field)
        const actual = row[field]
        if (operator === '=') return actual === value
        if (operator === 'in') return (value as unknown[]).includes(actual)
        if (operator === '=like') return typeof actual === 'string' && likeToRegExp(String(value)).test(actual)
        throw new OdooException('builtins.ValueError', `Invalid leaf ${JSON.stringify(leaf)}`)
      }),
    )
  }

  private create(model: string, values: Record<string, unknown>): Row {
    for (const field of Object.keys(values)) this.checkField(model, field)
    for (const field of REQUIRED[model] ?? []) {
      if (values[field] === undefined || values[field] === false) throw new OdooException('odoo.exceptions.ValidationError', `缺少必填字段：${model}.${field}`)
    }
    if (model === 'hr.expense' && !(this.major >= 17 ? values.total_amount_currency : values.unit_amount)) {
      throw new OdooException('odoo.exceptions.ValidationError', 'The expense amount must be positive.')
    }
    const stored: Record<string, unknown> = {}
    for (const [field, value] of Object.entries(values)) {
      if (MANY2ONE[field] && value !== false) this.get(MANY2ONE[field], value as number)
      if (ONE2MANY[field]) {
        stored[field] = (value as [number, number, Record<string, unknown>][]).map(([command, , lineValues]) => {
          if (command !== 0) throw new OdooException('builtins.ValueError', `Unsupported command ${command}`)
          return this.create(ONE2MANY[field]!, lineValues).id
        })
      } else stored[field] = value
    }
    if (model === 'account.move') Object.assign(stored, { name: '/', state: 'draft' })
    if (model === 'hr.expense') stored.state = 'draft'
    if (model === 'purchase.order') Object.assign(stored, { name: `P${String(this.nextSequence('purchase.order')).padStart(5, '0')}`, state: 'draft' })
    return this.insert(model, stored)
  }

  private post(move: Row): void {
    if (move.state !== 'draft') throw userError('Only draft journal entries can be posted.')
    const lines = (move.line_ids as number[]).map((id) => this.get('account.move.line', id))
    const debit = lines.reduce((sum, l) => sum + Math.round(Number(l.debit ?? 0) * 100), 0)
    const credit = lines.reduce((sum, l) => sum + Math.round(Number(l.credit ?? 0) * 100), 0)
    if (debit !== credit || lines.length < 2) {
      throw userError(`The move (${String(move.name)}) is not balanced.\nThe total of debits equals ${(debit / 100).toFixed(2)} and the total of credits equals ${(credit / 100).toFixed(2)}.`)
    }
    if (this.lockDate && String(move.date) <= this.lockDate) {
      throw userError(`You cannot add/modify entries prior to and inclusive of the lock date ${this.lockDate}.`)
    }
    const journal = this.get('account.journal', move.journal_id as number)
    const period = String(move.date).slice(0, 7).replace('-', '/')
    move.name = `${String(journal.code)}/${period}/${String(this.nextSequence(`${String(journal.code)}/${period}`)).padStart(4, '0')}`
    move.state = 'posted'
  }

  private nextSequence(name: string): number {
    const next = (this.sequences.get(name) ?? 0) + 1
    this.sequences.set(name, next)
    return next
  }
}

/** PostgreSQL LIKE: % any run, _ one character, backslash escapes. */
function likeToRegExp(pattern: string): RegExp {
  let source = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '\\' && i + 1 < pattern.length) source += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    else if (c === '%') source += '.*'
    else if (c === '_') source += '.'
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${source}$`, 's')
}
