import { XMLParser } from 'fast-xml-parser'
import { checkReading, isoDateOf, moneyToFen, normaliseTaxId, type InvoiceKind, type InvoiceReading } from './invoice.js'

type XmlNode = string | number | boolean | XmlNode[] | { [tag: string]: XmlNode }

/**
 * The tags each field is found under. 数电票 (全电发票) files use the tax bureau's English names
 * (EInvoice/TaxSupervisionInfo/InvoiceNumber …); older e-invoice exports use pinyin initials
 * (Fphm 发票号码, Fpdm 发票代码, Kprq 开票日期, Xfmc 销方名称 …). Earlier names win.
 */
const TAGS = {
  number: ['InvoiceNumber', 'EIid', 'Fphm'],
  code: ['InvoiceCode', 'Fpdm'],
  issueDate: ['IssueTime', 'RequestTime', 'Kprq'],
  sellerName: ['SellerName', 'Xfmc', 'Xsfmc'],
  sellerTaxId: ['SellerIdNum', 'SellerTaxID', 'Xfsbh', 'Xsfnsrsbh'],
  buyerName: ['BuyerName', 'Gfmc', 'Gmfmc'],
  buyerTaxId: ['BuyerIdNum', 'BuyerTaxID', 'Gfsbh', 'Gmfnsrsbh'],
  amount: ['TotalAmWithoutTax', 'Hjje'],
  tax: ['TotalTaxAm', 'Hjse'],
  total: ['TotalTax-includedAmount', 'Jshj'],
  item: ['ItemName', 'Xmmc', 'Spmc'],
  serviceDate: ['TravelDate', 'DepartureDate', 'DateOfDeparture', 'FlightDate'],
  trip: ['TrainNumber', 'TrainNo', 'FlightNumber', 'FlightNo'],
} as const

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, removeNSPrefix: true })

/**
 * Reads an e-invoice XML file. Files with a DOCTYPE are refused unread: invoices have none, and
 * entity declarations are how XML bombs are built.
 */
export function readInvoiceXml(text: string): InvoiceReading {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return { ok: false, problem: 'XML 文件包含 DOCTYPE 声明，不是电子发票' }
  let root: XmlNode
  try {
    root = parser.parse(text, true) as XmlNode
  } catch {
    return { ok: false, problem: 'XML 文件格式不正确，无法读取' }
  }
  const first = (tags: readonly string[]) => {
    for (const tag of tags) {
      const value = textOf(find(root, tag))
      if (value) return value
    }
    return null
  }
  const number = first(TAGS.number)?.replace(/\s+/g, '')
  if (!number) return { ok: false, problem: 'XML 中找不到发票号码，不是电子发票' }
  const issueDate = isoDateOf(first(TAGS.issueDate))
  if (!issueDate) return { ok: false, problem: 'XML 中找不到开票日期' }
  const totalFen = moneyToFen(first(TAGS.total))
  if (totalFen === null) return { ok: false, problem: 'XML 中找不到价税合计金额' }
  const kind = kindOf(root)
  return checkReading({
    source: 'xml',
    kind,
    title: TITLES[kind],
    number,
    code: first(TAGS.code)?.replace(/\s+/g, '') || null,
    issueDate,
    serviceDate: isoDateOf(first(TAGS.serviceDate)),
    amountFen: moneyToFen(first(TAGS.amount)),
    taxFen: moneyToFen(first(TAGS.tax)),
    totalFen,
    seller: { name: first(TAGS.sellerName), taxId: normaliseTaxId(first(TAGS.sellerTaxId)) },
    buyer: { name: first(TAGS.buyerName), taxId: normaliseTaxId(first(TAGS.buyerTaxId)) },
    items: TAGS.item.flatMap((tag) => findAll(root, tag).map(textOf)).filter((s): s is string => Boolean(s)),
    trip: first(TAGS.trip),
  })
}

const TITLES: Record<InvoiceKind, string> = {
  vat_special: '电子发票（增值税专用发票）',
  vat_general: '电子发票（普通发票）',
  railway: '电子发票（铁路电子客票）',
  air: '电子发票（航空运输电子客票行程单）',
  toll: '电子发票（通行费）',
  other: '电子发票',
}

/** The kind from the invoice's labels (GeneralOrSpecialVAT 01/02) and its specific-information block. */
function kindOf(root: XmlNode): InvoiceKind {
  const specific = find(root, 'SpecificInformation')
  const specificTags = specific && typeof specific === 'object' && !Array.isArray(specific) ? Object.keys(specific).join(' ') : ''
  const labels = [textOf(find(find(root, 'EInvoiceType'), 'LabelName')), textOf(find(root, 'InvoiceType'))].join(' ')
  if (/Railway|Train/i.test(specificTags) || /铁路/.test(labels)) return 'railway'
  if (/Air|Flight/i.test(specificTags) || /航空/.test(labels)) return 'air'
  if (/Toll/i.test(specificTags) || /通行费/.test(labels)) return 'toll'
  const vat = textOf(find(find(root, 'GeneralOrSpecialVAT'), 'LabelCode'))
  if (vat === '01' || /专用/.test(labels)) return 'vat_special'
  if (vat === '02' || /普通/.test(labels) || find(root, 'EInvoice') !== undefined || find(root, 'Fphm') !== undefined) return 'vat_general'
  return 'other'
}

/** The first element of that name, depth first. */
function find(node: XmlNode | undefined, tag: string): XmlNode | undefined {
  return findAll(node, tag, true)[0]
}

function findAll(node: XmlNode | undefined, tag: string, firstOnly = false): XmlNode[] {
  const found: XmlNode[] = []
  const walk = (n: XmlNode | undefined): boolean => {
    if (n === undefined || typeof n !== 'object') return false
    if (Array.isArray(n)) return n.some(walk)
    for (const [key, value] of Object.entries(n)) {
      if (key === tag) {
        found.push(...(Array.isArray(value) ? value : [value]))
        if (firstOnly) return true
      } else if (walk(value)) return true
    }
    return false
  }
  walk(node)
  return found
}

function textOf(node: XmlNode | undefined): string | null {
  if (typeof node === 'string') return node.trim() || null
  if (typeof node === 'number' || typeof node === 'boolean') return String(node)
  return null
}
