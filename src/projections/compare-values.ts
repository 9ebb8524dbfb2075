import diff from 'microdiff'
import { normalizeStoredTime } from '../events/time.js'
import { joinPath } from '../fold/changes.js'

/** One field where the projection and the replay disagree. */
export interface FieldDrift {
  field: string
  projection: unknown
  replay: unknown
}

const isNullish = (value: unknown): value is null | undefined => value === null || value === undefined

const isStructured = (value: unknown): value is object => value !== null && typeof value === 'object' && !Buffer.isBuffer(value)

/** A number from what SQLite and JSON hold: numbers, bigints, numeric text, booleans as 0/1. */
function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value
  if (typeof value === 'bigint') return Number(value)
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'string' && value.trim() !== '' && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value.trim())) return Number(value)
  return undefined
}

const asText = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : undefined

/** JSON held in a TEXT or BLOB column; undefined when it is not JSON. */
export function parseJsonText(value: unknown): unknown {
  const text = asText(value)
  if (text === undefined) return undefined
  const first = text.trimStart()[0]
  if (first !== '{' && first !== '[') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function sameScalar(projection: unknown, replay: unknown, tolerance: number): boolean {
  if (projection === replay) return true
  if (isNullish(projection) || isNullish(replay)) return isNullish(projection) && isNullish(replay)
  if (typeof replay === 'number' || typeof replay === 'bigint' || typeof replay === 'boolean' || typeof projection === 'number') {
    const a = asNumber(projection)
    const b = asNumber(replay)
    if (a === undefined || b === undefined) return false
    return a === b || Math.abs(a - b) <= tolerance
  }
  const a = asText(projection)
  const b = asText(replay)
  if (a === undefined || b === undefined) return false
  if (a === b) return true
  // The same instant written two ways ("2026-11-02 08:00:00" and "2026-11-02T08:00:00.000Z").
  const ta = normalizeStoredTime(a)
  return ta !== undefined && ta === normalizeStoredTime(b)
}

/** Structural equality; missing, undefined and null fields are the same (JSON drops them). */
function sameStructure(a: unknown, b: unknown, tolerance: number): boolean {
  if (a === b) return true
  if (!isStructured(a) || !isStructured(b)) return sameScalar(a, b, tolerance)
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a)) {
    const other = b as unknown[]
    return a.length === other.length && a.every((item, i) => sameStructure(item, other[i], tolerance))
  }
  const x = a as Record<string, unknown>
  const y = b as Record<string, unknown>
  for (const key in x) if (!sameStructure(x[key], y[key], tolerance)) return false
  for (const key in y) if (!(key in x) && !isNullish(y[key])) return false
  return true
}

/**
 * Whether a projection cell equals a replayed value: numbers within `tolerance` (also when the
 * column holds numeric text), booleans as 0/1, times in any stored form, JSON text compared
 * structurally with objects and arrays.
 */
export function sameValue(projection: unknown, replay: unknown, tolerance = 0): boolean {
  if (projection === replay) return true
  if (isStructured(replay)) {
    const parsed = isStructured(projection) ? projection : parseJsonText(projection)
    return parsed !== undefined && sameStructure(parsed, replay, tolerance)
  }
  return sameScalar(projection, replay, tolerance)
}

/** A cell ready for many comparisons: JSON text parsed once. */
export interface PreparedCell {
  raw: unknown
  json: unknown
}

export const prepareCell = (raw: unknown): PreparedCell => ({ raw, json: parseJsonText(raw) })

export function sameCell(cell: PreparedCell, replay: unknown, tolerance: number): boolean {
  if (isStructured(replay)) return cell.json !== undefined && sameStructure(cell.json, replay, tolerance)
  return sameScalar(cell.raw, replay, tolerance)
}

/** A cell as JSON output shows it: text for blobs, numbers for bigints. */
export function displayCell(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('utf8')
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()
  return value
}

/**
 * The fields that differ: one entry for a scalar column, one per differing leaf (`state.balance`)
 * when both sides are JSON structures, so a 40-field state names the one field that drifted.
 */
export function fieldDrifts(field: string, projection: unknown, replay: unknown, tolerance = 0): FieldDrift[] {
  if (sameValue(projection, replay, tolerance)) return []
  const parsed = isStructured(replay) ? (isStructured(projection) ? projection : parseJsonText(projection)) : undefined
  if (parsed === undefined || Array.isArray(parsed) !== Array.isArray(replay)) {
    return [{ field, projection: displayCell(projection), replay: replay === undefined ? null : replay }]
  }
  const drifts: FieldDrift[] = []
  for (const change of diff(parsed as Record<string, unknown>, replay as Record<string, unknown>)) {
    const before = change.type === 'CREATE' ? undefined : change.oldValue
    const after = change.type === 'REMOVE' ? undefined : change.value
    if (sameStructure(before, after, tolerance)) continue
    const path = change.path.reduce<string>((p, k) => joinPath(p, k), field)
    drifts.push({ field: path, projection: before ?? null, replay: after ?? null })
  }
  return drifts.length > 0 ? drifts : [{ field, projection: displayCell(projection), replay }]
}
