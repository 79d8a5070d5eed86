import { ErpError, type ErpParty } from '../../erp-adapter.js'
import { trytonDate, type TrytonClient } from './tryton-client.js'
import type { TrytonConfig } from './tryton-config.js'

/**
 * Finds the Tryton records an action refers to, by the codes an admin sees in Tryton, and says
 * in plain words which mapping is missing when one is not there. One per posting: its calls are
 * that posting's, fenced by its signal.
 */
export class TrytonMasterData {
  constructor(
    private readonly client: TrytonClient,
    private readonly config: TrytonConfig,
    private readonly signal?: AbortSignal,
  ) {}

  async company(): Promise<{ id: number; currencyId: number }> {
    let id: number | undefined
    if (this.config.companyPartyCode) {
      id = await this.one('company.company', [['party.code', '=', this.config.companyPartyCode]], `公司（往来单位编码 ${this.config.companyPartyCode}）`)
    } else {
      const context = await this.client.context(this.signal)
      if (typeof context.company === 'number') id = context.company
    }
    if (id === undefined) {
      throw new ErpError('permanent', `Tryton 用户 ${this.config.username} 没有当前公司，请在 Tryton 中为该用户设置公司。The Tryton user has no current company.`)
    }
    const [company] = await this.client.read<{ currency: number }>('company.company', [id], ['currency'], this.signal)
    return { id, currencyId: company!.currency }
  }

  journal(): Promise<number> {
    const code = this.config.expenseJournal
    return this.one('account.journal', [['code', '=', code]], `日记账 ${code}`)
  }

  async account(code: string, companyId: number, purpose: string): Promise<PostableAccount> {
    const rows = await this.client.searchRead<AccountRow>('account.account', [['code', '=', code], ['company', '=', companyId]], ACCOUNT_FIELDS, 2, this.signal)
    return postable(this.single(rows, `科目 ${code}（${purpose}）`), purpose)
  }

  /** The party's own payable account, when the connection names no payable account. */
  async partyPayable(partyId: number, partyName: string, companyId: number): Promise<PostableAccount> {
    const [party] = await this.client.read<{ account_payable_used: number | null }>('party.party', [partyId], ['account_payable_used'], this.signal)
    const accountId = party?.account_payable_used
    if (!accountId) {
      throw new ErpError('permanent', `Tryton 中往来单位 ${partyName} 没有应付科目，请在连接设置中填写应付科目编码。No payable account for ${partyName}.`)
    }
    const [account] = await this.client.read<AccountRow>('account.account', [accountId], ACCOUNT_FIELDS, this.signal)
    if (account?.company !== companyId) {
      throw new ErpError('permanent', `往来单位 ${partyName} 的应付科目不属于当前公司。The party's payable account belongs to another company.`)
    }
    return postable(account, `${partyName} 的应付科目`)
  }

  /** The open standard period containing the date; a closed or missing period is a posting no retry can fix. */
  async openPeriod(companyId: number, date: string): Promise<number> {
    const periods = await this.client.searchRead<{ id: number; name: string; state: string }>(
      'account.period',
      [['company', '=', companyId], ['type', '=', 'standard'], ['start_date', '<=', trytonDate(date)], ['end_date', '>=', trytonDate(date)]],
      ['name', 'state'],
      1,
      this.signal,
    )
    const period = periods[0]
    if (!period) {
      throw new ErpError('permanent', `Tryton 中没有包含 ${date} 的会计期间，请先建立该会计年度。No accounting period in Tryton covers ${date}.`)
    }
    if (period.state !== 'open') {
      throw new ErpError('permanent', `会计期间 ${period.name} 已关闭，不能再过账到 ${date}；请财务重新打开期间或改用其他日期。The period ${period.name} is closed.`, `period ${period.id} state ${period.state}`)
    }
    return period.id
  }

  /** Our employee's party in Tryton: by the mapped code, else by a name that only one party has. */
  async party(person: ErpParty): Promise<number> {
    if (person.erpCode) return this.one('party.party', [['code', '=', person.erpCode]], `员工 ${person.name} 的往来单位（编码 ${person.erpCode}）`)
    const ids = await this.client.search('party.party', [['name', '=', person.name]], 2, null, this.signal)
    if (ids.length === 1) return ids[0]!
    throw new ErpError(
      'permanent',
      ids.length === 0
        ? `未配置映射：员工 ${person.name} → Tryton 往来单位，Tryton 中也没有同名的往来单位。No Tryton party for ${person.name}.`
        : `未配置映射：员工 ${person.name} → Tryton 往来单位，Tryton 中有多个同名往来单位，请配置编码。Several Tryton parties are named ${person.name}.`,
    )
  }

  async employee(person: ErpParty, companyId: number): Promise<number> {
    const partyId = await this.party(person)
    return this.one('company.employee', [['party', '=', partyId], ['company', '=', companyId]], `员工 ${person.name} 的员工档案`)
  }

  warehouse(): Promise<number> {
    const code = this.config.warehouse
    return this.one('stock.location', [['code', '=', code], ['type', '=', 'warehouse']], `仓库 ${code}`)
  }

  unit(): Promise<number> {
    const symbol = this.config.unit
    return this.one('product.uom', [['symbol', '=', symbol]], `计量单位 ${symbol}`)
  }

  /** A purchasable product by its code, with its purchase unit. */
  async product(code: string): Promise<{ id: number; unitId: number }> {
    const rows = await this.client.searchRead<{ id: number; purchase_uom: number }>(
      'product.product',
      [['code', '=', code], ['purchasable', '=', true]],
      ['purchase_uom'],
      2,
      this.signal,
    )
    const row = this.single(rows, `可采购物料 ${code}`)
    return { id: row.id, unitId: row.purchase_uom }
  }

  supplier(code: string): Promise<number> {
    return this.one('party.party', [['code', '=', code]], `供应商 ${code}`)
  }

  private async one(model: string, domain: unknown[], what: string): Promise<number> {
    const ids = await this.client.search(model, domain, 2, null, this.signal)
    return this.single(ids.map((id) => ({ id })), what).id
  }

  private single<R extends { id: number }>(rows: R[], what: string): R {
    if (rows.length === 1) return rows[0]!
    if (rows.length === 0) throw new ErpError('permanent', `Tryton 中找不到${what}，请检查映射或在 Tryton 中建立。Not found in Tryton: ${what}.`)
    throw new ErpError('permanent', `Tryton 中有多个${what}，无法确定用哪一个。Ambiguous in Tryton: ${what}.`)
  }
}

type PostableAccount = { id: number; partyRequired: boolean }
type AccountRow = { id: number; code: string | null; company: number; party_required: boolean; closed: boolean; type: number | null }
const ACCOUNT_FIELDS = ['code', 'company', 'party_required', 'closed', 'type']

/** Tryton refuses lines on a closed account or on a summary account (one without a type); say so before it does. */
function postable(account: AccountRow, purpose: string): PostableAccount {
  if (account.closed || !account.type) {
    throw new ErpError(
      'permanent',
      `Tryton 科目 ${account.code ?? account.id}（${purpose}）${account.closed ? '已停用' : '是汇总科目'}，不能记账；请财务调整映射或启用该科目。Account ${account.code ?? account.id} cannot take entries.`,
    )
  }
  return { id: account.id, partyRequired: Boolean(account.party_required) }
}
