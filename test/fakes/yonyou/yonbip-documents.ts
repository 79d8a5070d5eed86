/**
 * The documents of a fake YonBIP tenant behind its OpenAPIs: 通用报销单, 总账凭证, 请购单, 采购订单.
 * Envelopes and field names follow the open platform's API pages; validation is this fake's own
 * (master codes must exist, rows need `_status`, money must balance, dates must be in the API's
 * format), so an adapter that sends the wrong shape gets a business error the way a tenant would.
 * MDD 幂等: a resubmitCheckKey seen before is refused (code 100004), a voucher businessId seen before
 * is refused (310504).
 */

export interface TenantMaster {
  orgs: string[]
  staff: Record<string, string>
  departments: Record<string, string>
  expenseItems: Record<string, string>
  settlementMethods: string[]
  transactionTypes: string[]
  accountBooks: string[]
  voucherTypes: string[]
  accounts: Record<string, string>
  auxiliaryItems: string[]
  products: Record<string, string>
  vendors: Record<string, string>
  units: string[]
  taxCodes: string[]
  currencies: string[]
  rateTypes: string[]
}

export class BusinessError extends Error {
  constructor(
    message: string,
    readonly code = '999',
  ) {
    super(message)
  }
}

type Row = Record<string, unknown>
export interface StoredDocument {
  kind: 'expensebill' | 'voucher' | 'applyorder' | 'purchaseorder'
  id: string
  code: string
  status: number
  body: Row
}

const DATE = /^\d{4}-\d{2}-\d{2}$/
const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/

export class YonBipDocuments {
  readonly documents: StoredDocument[] = []
  private readonly checkKeys = new Map<string, StoredDocument>()
  private nextId = 2_410_387_773_493_760
  private sequence = 0

  constructor(readonly master: TenantMaster) {}

  of(kind: StoredDocument['kind']): StoredDocument[] {
    return this.documents.filter((d) => d.kind === kind)
  }

  saveExpenseBill(envelope: Row): Row {
    const data = dataOf(envelope)
    const key = this.claimCheckKey('expensebill', data)
    this.known('transactionTypes', data.bustype, '交易类型')
    this.known('staff', data.pk_handlepsn, '报销人')
    this.known('departments', data.vhandledeptid, '报销人部门')
    this.known('departments', data.vfinacedeptid, '费用承担部门')
    for (const field of ['chandleorg', 'cfinaceorg', 'caccountorg']) this.known('orgs', data[field], '组织')
    this.known('currencies', data.vcurrency, '币种')
    this.known('rateTypes', data.vnatexchratetype, '汇率类型')
    for (const field of ['vouchdate', 'dcostdate', 'dnatexchratedate']) requireFormat(data[field], DATE, field)
    if (!data.vreason) throw new BusinessError('报销说明不能为空')
    const total = money(data.nsummny, 'nsummny')
    const details = rows(data, 'expensebillbs')
    for (const d of details) this.known('expenseItems', d.pk_busimemo_code, '费用项目')
    sameTotal(details, 'nsummny', total, '报销单明细')
    sameTotal(rows(data, 'expapportions'), 'napportmny', total, '费用分摊')
    const settles = rows(data, 'expsettleinfos')
    for (const s of settles) this.known('settlementMethods', s.pk_balatype_code, '结算方式')
    sameTotal(settles, 'nsummny', total, '结算信息')
    const doc = this.store('expensebill', `BX${String(++this.sequence).padStart(6, '0')}`, 0, data)
    if (key) this.checkKeys.set(key, doc)
    return { ...data, id: doc.id, code: doc.code, status: 0, pk_billtype: 'znbzbx_expensebill', resubmitCheckKey: `OPENAPI_${data.resubmitCheckKey}` }
  }

  listExpenseBills(query: Row): Row[] {
    const reason = typeof query.vreason === 'string' ? query.vreason : ''
    return this.of('expensebill')
      .filter((d) => String(d.body.vreason).includes(reason))
      .map((d) => ({ id: d.id, code: d.code, status: d.status, vreason: d.body.vreason, vouchdate: `${d.body.vouchdate} 00:00:00`, nsummny: d.body.nsummny, pk_billtype: 'znbzbx_expensebill' }))
  }

  addVoucher(body: Row): Row {
    if ('data' in body) throw new BusinessError('凭证保存参数不正确：accbookCode 不能为空（凭证字段应在请求体顶层）')
    this.known('accountBooks', body.accbookCode, '账簿')
    this.known('voucherTypes', body.voucherTypeCode, '凭证类型')
    requireFormat(body.makeTime, DATE, 'makeTime')
    const businessId = String(body.businessId ?? '')
    if (businessId && this.documents.some((d) => d.kind === 'voucher' && d.body.businessId === businessId)) throw new BusinessError(`业务ID[${businessId}]对应的凭证已存在`, '310504')
    const bodies = Array.isArray(body.bodies) ? (body.bodies as Row[]) : []
    if (bodies.length < 2) throw new BusinessError('凭证分录至少需要两行')
    let debit = 0
    let credit = 0
    for (const line of bodies) {
      if (!line.description) throw new BusinessError('分录摘要不能为空')
      this.known('accounts', line.accsubjectCode, '科目')
      const isDebit = line.debitOriginal !== undefined
      if (isDebit === (line.creditOriginal !== undefined)) throw new BusinessError('每行分录借方、贷方必须且只能填写一方')
      const [original, local] = isDebit ? [line.debitOriginal, line.debitOrg] : [line.creditOriginal, line.creditOrg]
      if (money(original, 'original') !== money(local, 'local')) throw new BusinessError('原币金额与本币金额不一致（汇率 1）')
      if (isDebit) debit += money(original, 'debit')
      else credit += money(original, 'credit')
      for (const aux of (line.clientAuxiliaryList as Row[] | undefined) ?? []) {
        if (!this.master.auxiliaryItems.includes(String(aux.filedCode))) throw new BusinessError(`辅助核算项[${aux.filedCode}]不存在`)
        this.known('staff', aux.valueCode, '辅助核算值')
      }
    }
    if (Math.round(debit * 100) !== Math.round(credit * 100)) throw new BusinessError('凭证借贷不平衡')
    const period = String(body.period ?? String(body.makeTime).slice(0, 7))
    const billCode = this.of('voucher').filter((d) => d.body.period === period).length + 1
    const doc = this.store('voucher', String(billCode), 1, { ...body, period })
    return { voucherId: doc.id, voucherStatus: '01', billCode, period }
  }

  queryVouchers(query: Row): { recordCount: number; recordList: Row[] } {
    this.known('accountBooks', query.accbookCode, '账簿')
    const pager = (query.pager ?? {}) as { pageIndex?: number; pageSize?: number }
    const index = Number(pager.pageIndex ?? 1)
    const size = Number(pager.pageSize ?? 10)
    const matching = this.of('voucher').filter((d) => d.body.accbookCode === query.accbookCode && (!query.periodStart || String(d.body.period) >= String(query.periodStart)) && (!query.periodEnd || String(d.body.period) <= String(query.periodEnd)))
    const recordList = matching.slice((index - 1) * size, index * size).map((d) => ({ header: { id: d.id, period: d.body.period, billCode: Number(d.code), description: d.body.description, voucherStatus: '01' }, body: d.body.bodies }))
    return { recordCount: matching.length, recordList }
  }

  savePurchase(kind: 'applyorder' | 'purchaseorder', envelope: Row): Row {
    const data = dataOf(envelope)
    const key = this.claimCheckKey(kind, data)
    this.known('transactionTypes', kind === 'applyorder' ? data.bustype : data.bustype_code, '交易类型')
    this.known('orgs', data.org_code, '组织')
    requireFormat(data.vouchdate, DATE_TIME, 'vouchdate')
    if (kind === 'purchaseorder') {
      this.known('vendors', data.vendor_code, '供应商')
      this.known('vendors', data.invoiceVendor_code, '开票供应商')
    }
    const lines = rows(data, kind === 'applyorder' ? 'applyOrders' : 'purchaseOrders')
    for (const line of lines) {
      this.known('products', line.product_cCode, '物料')
      for (const unit of ['unit_code', 'purUOM_Code', 'priceUOM_Code']) this.known('units', line[unit], '计量单位')
      this.known('taxCodes', line.taxitems_code, '税目')
      if (!(money(line.qty, 'qty') > 0)) throw new BusinessError('数量必须大于0')
    }
    // The API's own samples disagree on headItem (an array for 请购单, an object for 采购订单); store one object.
    const headItem = (Array.isArray(data.headItem) ? data.headItem[0] : data.headItem) as Row | undefined
    const prefix = kind === 'applyorder' ? 'QG' : 'CG'
    const doc = this.store(kind, `${prefix}${String(++this.sequence).padStart(8, '0')}`, 0, { ...data, headItem: headItem ?? {} })
    if (key) this.checkKeys.set(key, doc)
    return { id: doc.id, code: doc.code, status: 0, org_code: data.org_code, headItem, resubmitCheckKey: `OPENAPI_${data.resubmitCheckKey}` }
  }

  listPurchases(kind: 'applyorder' | 'purchaseorder', query: Row): Row[] {
    const conditions = (query.simpleVOs as { field: string; op: string; value1: unknown }[] | undefined) ?? []
    return this.of(kind)
      .filter((d) =>
        conditions.every((c) => {
          if (c.op !== 'eq') throw new BusinessError(`不支持的比较符 ${c.op}`)
          const value = c.field.startsWith('headItem.') ? (d.body.headItem as Row)[c.field.slice('headItem.'.length)] : c.field === 'code' ? d.code : c.field === 'status' ? d.status : undefined
          return String(value ?? '') === String(c.value1)
        }),
      )
      .map((d) => ({ id: d.id, code: d.code, status: d.status, vouchdate: d.body.vouchdate, headItem: { id: d.id, ...(d.body.headItem as Row) } }))
  }

  /** batchsubmit: 0 开立 → 3 审核中; batchaudit: 3 → 1 已审核. Failures are counted, not thrown, like the real batch APIs. */
  batch(kind: 'applyorder' | 'purchaseorder', operation: 'batchsubmit' | 'batchaudit', envelope: Row): Row {
    const items = Array.isArray(envelope.data) ? (envelope.data as Row[]) : []
    const messages: string[] = []
    for (const item of items) {
      const doc = this.of(kind).find((d) => d.id === String(item.id))
      const [from, to, verb] = operation === 'batchsubmit' ? [0, 3, '提交'] : [3, 1, '审核']
      if (!doc) messages.push(`单据[${item.id}]不存在`)
      else if (doc.status !== from) messages.push(`单据[${doc.code}]当前状态不能${verb}`)
      else doc.status = to
    }
    return { count: items.length, sucessCount: items.length - messages.length, failCount: messages.length, messages }
  }

  private store(kind: StoredDocument['kind'], code: string, status: number, body: Row): StoredDocument {
    const doc = { kind, id: String(this.nextId++), code, status, body }
    this.documents.push(doc)
    return doc
  }

  /** The key this save will be remembered under once it succeeds ('' when the caller sent none). */
  private claimCheckKey(api: string, data: Row): string {
    const key = String(data.resubmitCheckKey ?? '')
    if (key.length > 32) throw new BusinessError('resubmitCheckKey长度不能超过32位')
    if (!key) return ''
    const scoped = `${api}:${key}`
    if (this.checkKeys.has(scoped)) throw new BusinessError('重复提交，请勿重复操作', '100004')
    return scoped
  }

  private known(table: keyof TenantMaster, code: unknown, label: string): void {
    const values = this.master[table]
    const exists = Array.isArray(values) ? values.includes(String(code)) : String(code) in values
    if (!exists) throw new BusinessError(`${label}[${String(code ?? '')}]在系统中不存在或已停用`)
  }
}

function dataOf(envelope: Row): Row {
  const data = envelope.data
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new BusinessError('请求参数 data 不能为空')
  if ((data as Row)._status !== 'Insert') throw new BusinessError('表头缺少操作标识 _status')
  return data as Row
}

function rows(data: Row, field: string): Row[] {
  const list = data[field]
  if (!Array.isArray(list) || list.length === 0) throw new BusinessError(`子表 ${field} 不能为空`)
  for (const row of list as Row[]) if (row._status !== 'Insert') throw new BusinessError(`子表 ${field} 缺少操作标识 _status`)
  return list as Row[]
}

function money(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new BusinessError(`金额字段 ${field} 必须是数字`)
  return value
}

function sameTotal(list: Row[], field: string, total: number, label: string): void {
  const sum = list.reduce((s, r) => s + money(r[field], field), 0)
  if (Math.round(sum * 100) !== Math.round(total * 100)) throw new BusinessError(`${label}金额合计与报销总额不一致`)
}

function requireFormat(value: unknown, format: RegExp, field: string): void {
  if (typeof value !== 'string' || !format.test(value)) throw new BusinessError(`日期字段 ${field} 格式不正确：${String(value)}`)
}
