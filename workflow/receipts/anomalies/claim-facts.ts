import type { ParsedInvoice } from '../invoices/invoice.js'

/** What the anomaly rules and the context line know about one request. */
export interface ClaimFact {
  id: string
  requestNo: string | null
  type: string
  title: string
  /** Expense category; null for other request types. */
  category: string | null
  requesterId: string
  requesterName: string
  departmentId: string
  departmentName: string
  amountFen: number
  /** YYYY-MM-DD the cost belongs to. */
  occurredOn: string
  /** Dated to one day (a meal, a purchase), not a period (a trip). */
  singleDay: boolean
  submittedAt: number | null
  status: string
  /** Normalised keys of its invoices, typed or read from attachments. */
  invoiceKeys: string[]
  /** SHA-256 of its attached files. */
  receiptHashes: string[]
  /** Invoices read from its attachments. */
  invoices: ParsedInvoice[]
}

/** One approval task, for the "approved in seconds" rule. */
export interface ApprovalFact {
  approverName: string
  status: string
  createdAt: number
  decidedAt: number | null
  comment: string | null
  /** Set when the system decided (de-duplication, timeout): not a person's speed. */
  autoReason: string | null
}

/** Claims that stand: submitted and not ended without payment. */
export const STANDING = new Set(['pending', 'returned', 'approved'])
/** Claims someone submitted at some point (a rejected one still used its receipts). */
export const SUBMITTED = new Set([...STANDING, 'rejected', 'withdrawn'])

/** The history one request is judged against, indexed the ways the rules look. */
export class ClaimHistory {
  private readonly byRequester = new Map<string, ClaimFact[]>()
  private readonly byDepartment = new Map<string, ClaimFact[]>()
  private readonly byInvoice = new Map<string, ClaimFact[]>()
  private readonly byReceipt = new Map<string, ClaimFact[]>()

  constructor(facts: Iterable<ClaimFact>) {
    const seen = new Set<string>()
    for (const fact of facts) {
      if (seen.has(fact.id) || fact.submittedAt === null) continue
      seen.add(fact.id)
      push(this.byRequester, fact.requesterId, fact)
      push(this.byDepartment, fact.departmentId, fact)
      for (const key of fact.invoiceKeys) push(this.byInvoice, key, fact)
      for (const hash of fact.receiptHashes) push(this.byReceipt, hash, fact)
    }
  }

  /** The requester's other standing claims of the same kind (category, or request type). */
  ownClaims(target: ClaimFact): ClaimFact[] {
    return (this.byRequester.get(target.requesterId) ?? []).filter((f) => f.id !== target.id && STANDING.has(f.status) && sameKind(f, target))
  }

  /** The requester's other standing claims of the same request type, any category. */
  ownClaimsOfType(target: ClaimFact): ClaimFact[] {
    return (this.byRequester.get(target.requesterId) ?? []).filter((f) => f.id !== target.id && STANDING.has(f.status) && f.type === target.type)
  }

  /** The requester's department's other standing claims of the same kind. */
  departmentClaims(target: ClaimFact): ClaimFact[] {
    return this.departmentClaimsOf(target.departmentId, target.type, kindOf(target)).filter((f) => f.id !== target.id)
  }

  departmentClaimsOf(departmentId: string, type: string, kind: string): ClaimFact[] {
    return (this.byDepartment.get(departmentId) ?? []).filter((f) => STANDING.has(f.status) && f.type === type && kindOf(f) === kind)
  }

  /** Other people's submitted claims that used one of the target's invoices or files. */
  sharingReceipts(target: ClaimFact): Array<{ fact: ClaimFact; by: 'invoice' | 'file' }> {
    const found = new Map<string, { fact: ClaimFact; by: 'invoice' | 'file' }>()
    const consider = (facts: ClaimFact[] | undefined, by: 'invoice' | 'file') => {
      for (const f of facts ?? []) {
        if (f.id !== target.id && f.requesterId !== target.requesterId && SUBMITTED.has(f.status) && !found.has(f.id)) found.set(f.id, { fact: f, by })
      }
    }
    for (const key of target.invoiceKeys) consider(this.byInvoice.get(key), 'invoice')
    for (const hash of target.receiptHashes) consider(this.byReceipt.get(hash), 'file')
    return [...found.values()]
  }
}

export const kindOf = (f: Pick<ClaimFact, 'category' | 'type'>) => f.category ?? f.type
const sameKind = (a: ClaimFact, b: ClaimFact) => a.type === b.type && kindOf(a) === kindOf(b)

function push<K>(map: Map<K, ClaimFact[]>, key: K, fact: ClaimFact): void {
  const list = map.get(key)
  if (list) list.push(fact)
  else map.set(key, [fact])
}
