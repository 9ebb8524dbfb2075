import { normalizeStoredTime } from '../../events/time.js'
import { isCompactJson } from '../../output/compact-json.js'

/** Where the optional columns sit in a raw row (-1: not selected); 0-3 are position, stream, type, data. */
export interface RowShape {
  select: string
  version: number
  schemaVersion: number
  time: number
  meta: number
  eventId: number
  /** Metadata selected only to check that it is JSON (-1: none). */
  metaCheck: number
}

/**
 * The NDJSON line (with its newline) of a raw row of a plain events table, built from the
 * stored JSON text as it is: `JSON.stringify` of the decoded event, except that data and
 * metadata keep their stored spelling (a 19-digit id keeps its digits). Undefined for any row
 * this cannot vouch for (JSON with whitespace, BLOBs, odd column types, a time that needs
 * parsing): the caller decodes those, which also names what is wrong with a bad row.
 */
export function storedLine(row: unknown[], shape: RowShape): string | undefined {
  const position = row[0]
  const stream = row[1]
  const type = row[2]
  // Not finite (a REAL column can hold Infinity): JSON has no such number; JSON.stringify prints null.
  if (!Number.isFinite(position) || typeof stream !== 'string' || typeof type !== 'string') return undefined
  const data = jsonText(row[3])
  if (data === undefined) return undefined
  let version = ''
  if (shape.version !== -1) {
    const value = row[shape.version]
    if (typeof value === 'number' && Number.isFinite(value)) version = `,"version":${value}`
    else if (value !== null) return undefined
  }
  let schemaVersion = 1
  if (shape.schemaVersion !== -1) {
    const value = row[shape.schemaVersion]
    if (typeof value === 'number' && Number.isInteger(value)) schemaVersion = value
    else if (value !== null) return undefined
  }
  let time = '""'
  if (shape.time !== -1) {
    if (row[shape.time] === null) return undefined
    const quoted = quotedTime(row[shape.time])
    if (quoted === undefined) return undefined
    time = quoted
  }
  const meta = metaText(row, shape)
  if (meta === undefined) return undefined
  let typeJson = typeTexts.get(type)
  if (typeJson === undefined) {
    if (typeTexts.size >= 1024) typeTexts.clear()
    typeTexts.set(type, (typeJson = JSON.stringify(type)))
  }
  return `{"position":${position},"stream":${JSON.stringify(stream)}${version},"type":${typeJson},"schemaVersion":${schemaVersion},"time":${time},"data":${data},"meta":${meta}}\n`
}

/** Event types as JSON strings: a store has few types and many events of each. */
const typeTexts = new Map<string, string>()

/** The stored time as normalizeStoredTime makes it, in quotes; undefined when it is not a time. */
function quotedTime(value: unknown): string | undefined {
  // SQLite's own "YYYY-MM-DD HH:MM:SS.SSS", the common case, without a JSON.stringify.
  if (typeof value === 'string' && value.length === 23 && value.charCodeAt(10) === 32 && value.charCodeAt(19) === 46 && isTimeText(value)) {
    return `"${value.slice(0, 10)}T${value.slice(11)}Z"`
  }
  try {
    const normal = normalizeStoredTime(value)
    return normal === undefined ? undefined : JSON.stringify(normal)
  } catch {
    return undefined // a number too big for a date: the decoder says so
  }
}

/** Digits, '-', ':', '.' and ' ' only: nothing JSON would escape. */
function isTimeText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if ((c < 48 || c > 58) && c !== 45 && c !== 46 && c !== 32) return false
  }
  return true
}

/** A JSON column's text as it goes into the line; undefined when it has to be parsed. */
function jsonText(value: unknown): string | undefined {
  if (value === null || value === '') return 'null'
  if (typeof value === 'string' && isCompactJson(value)) return value
  return undefined
}

/** Metadata as an object's text, with the event id column added as the decoder adds it. */
function metaText(row: unknown[], shape: RowShape): string | undefined {
  let meta = '{}'
  if (shape.meta !== -1 && row[shape.meta] !== null) {
    const text = jsonText(row[shape.meta])
    // Not an object: the decoder's business (it makes {} of it).
    if (text === undefined || text.charCodeAt(0) !== 123) return undefined
    meta = text
  }
  if (shape.eventId === -1 || row[shape.eventId] === null) return meta
  const eventId = row[shape.eventId]
  // Stored metadata that may name an eventId of its own keeps it: the decoder decides.
  if ((typeof eventId !== 'string' && typeof eventId !== 'number') || meta.includes('"eventId"')) return undefined
  return meta === '{}' ? `{"eventId":${JSON.stringify(eventId)}}` : `${meta.slice(0, -1)},"eventId":${JSON.stringify(eventId)}}`
}
