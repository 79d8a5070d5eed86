import { STANDARD_CITY_TIERS } from '../../../workflow/policy/city-tiers.js'
import { escape } from './categories.js'
import { parseNumber } from './chinese-numbers.js'
import { normalizeText } from './normalize.js'
import { Scan } from './scan.js'

/**
 * Where a claim's cost arose and for how many nights (报销上海出差住宿3晚1800元, 北京酒店两晚 1200,
 * 杭州住了3天): the `city` and `nights` extension slots that let the travel standard by city tier
 * (workflow/policy) apply to a claim typed in chat. Cities are the policy's own: the standard tiers
 * the demo policy is seeded with here, and an admin's list in the conversation (cityIn).
 */

const STANDARD_CITIES: readonly string[] = Object.keys(STANDARD_CITY_TIERS)

export interface PlaceMention {
  city?: string
  nights?: number
  /** What was read (the chosen city, every other city named, the nights), for the reason finder and for giving back. */
  spans: Array<{ start: number; end: number }>
}

export type PlaceSlot = 'city' | 'nights'

const COUNT = '(?<n>\\d{1,3}|[一二两三四五六七八九十]{1,3})'
const NOT_AFTER = '(?<![\\d第双号一二两三四五六七八九十])'
// 3晚, 两夜, 三个晚上; not 晚饭/晚餐/晚班/晚点, 夜宵/夜班, nor 十一晚上 (an evening, not a count).
const NIGHTS = new RegExp(`${NOT_AFTER}${COUNT}\\s*(?:个晚上|个夜晚|晚(?![饭餐班点上间会])|夜(?![宵班间里车]))`, 'dg')
// 住了3天, 入住两天, 住宿3日: days stayed count as nights. 住宿/住店 name the category, so are not read here.
const STAYED = new RegExp(`(?<verb>住了|入住了?|住宿了?|住店|住)\\s*${COUNT}\\s*(?:天|日)(?![前后内])`, 'dg')
// Where a trip went: 到上海, 去北京, 在杭州 win over 从北京.
const DESTINATION_BEFORE = /(?:到|去|至|赴|在|飞)\s*$/
const ORIGIN_BEFORE = /从\s*$/

/** A pattern for the names, longest first, each also with 市; the group's text maps back to the listed name. */
function citiesPattern(cities: readonly string[]): { pattern: RegExp; listed: Map<string, string> } | undefined {
  const listed = new Map<string, string>()
  for (const name of cities) {
    const base = name.trim().replace(/市$/, '').toLowerCase()
    if (base.length >= 2 && !listed.has(base)) listed.set(base, name)
  }
  if (listed.size === 0) return undefined
  const names = [...listed.keys()].sort((a, b) => b.length - a.length).map(escape)
  return { pattern: new RegExp(`(?<city>${names.join('|')})市?`, 'dgi'), listed }
}

/** The standard list, compiled once: the parser reads it on every expense line. */
const STANDARD = citiesPattern(STANDARD_CITIES)

/** Every city of the list the text names (claimed or not: 原因：北京项目验收 still names 北京), and the one the claim is about. */
function readCity(scan: Scan, compiled: ReturnType<typeof citiesPattern>): { city?: string; spans: PlaceMention['spans'] } {
  if (!compiled) return { spans: [] }
  const found: Array<{ name: string; start: number; end: number }> = []
  compiled.pattern.lastIndex = 0
  for (let m = compiled.pattern.exec(scan.text); m !== null; m = compiled.pattern.exec(scan.text)) {
    found.push({ name: compiled.listed.get(m.groups!.city!.toLowerCase())!, start: m.index, end: m.index + m[0].length })
  }
  const before = (f: (typeof found)[number]) => scan.text.slice(Math.max(0, f.start - 2), f.start)
  const chosen = found.find((f) => DESTINATION_BEFORE.test(before(f))) ?? found.find((f) => !ORIGIN_BEFORE.test(before(f))) ?? found[0]
  return { city: chosen?.name, spans: found.filter((f) => scan.isFree(f.start, f.end)) }
}

function readNights(scan: Scan): { nights?: number; start: number; end: number } | undefined {
  const said = scan.first(NIGHTS)
  const stayed = said ? undefined : scan.first(STAYED)
  const m = said ?? stayed
  if (!m) return undefined
  const n = parseNumber(m.groups!.n!)
  if (n === undefined || !Number.isInteger(n) || n < 1 || n > 366) return undefined
  // Of 住宿3天 only 3天 is read: 住宿 names the category.
  const verb = m.indices?.groups?.verb
  const start = verb && /^住(?:宿|店)/.test(m.groups!.verb!) ? m.indices!.groups!.n![0] : m.index
  return { nights: n, start, end: m.index + m[0].length }
}

/**
 * The city (among `cities`, the standard tiers unless given) and the nights a line names. Claims
 * what it reads; placeSlots gives it back when the command takes neither.
 */
export function findPlaces(scan: Scan): PlaceMention {
  const { city, spans } = readCity(scan, STANDARD)
  for (const s of spans) scan.claim(s.start, s.end)
  const nights = readNights(scan)
  if (nights) {
    scan.claim(nights.start, nights.end)
    spans.push({ start: nights.start, end: nights.end })
  }
  return { ...(city !== undefined ? { city } : {}), ...(nights ? { nights: nights.nights } : {}), spans }
}

/** The slots the command takes; when it takes none, what was read is given back (unexplained). */
export function placeSlots(scan: Scan, found: PlaceMention, takes: (slot: PlaceSlot) => boolean): { city?: string; nights?: number } {
  const slots: { city?: string; nights?: number } = {}
  if (found.city !== undefined && takes('city')) slots.city = found.city
  if (found.nights !== undefined && takes('nights')) slots.nights = found.nights
  if (!takes('city') && !takes('nights')) for (const s of found.spans) scan.release(s.start, s.end)
  return slots
}

/**
 * The city a chat line names among the standard tiers and `moreCities` (an admin's list, spelled
 * as the policy spells them), read as the parser reads one: a destination (到/去/在…) first.
 */
export function cityIn(text: string, moreCities: readonly string[] = []): string | undefined {
  return readCity(new Scan(normalizeText(text).text), moreCities.length ? citiesPattern([...moreCities, ...STANDARD_CITIES]) : STANDARD).city
}
