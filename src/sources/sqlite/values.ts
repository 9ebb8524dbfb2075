/** Decoding of column values as stores write them in the wild. */
import { MAX_JSON_DEPTH, nestsDeeperThan, tooDeep } from '../../events/json-depth.js'
import { isCompactJson } from '../../output/compact-json.js'

export class InvalidValueError extends Error {}

/** JSON held in TEXT or BLOB; null stays null. `column` names it when it nests too deep. */
export function parseJsonColumn(value: unknown, column = 'data'): unknown {
  if (value === null || value === undefined) return null
  if (typeof value !== 'string' && !Buffer.isBuffer(value)) return value
  const text = typeof value === 'string' ? value : value.toString('utf8')
  if (text.length === 0) return null
  if (nestsDeeperThan(text)) throw new InvalidValueError(tooDeep(column))
  return JSON.parse(text)
}

/** Schema versions stored as integers or text ("2", "2.0", "v2"); 1 when absent. */
export function parseSchemaVersion(value: unknown): number {
  if (typeof value === 'number') return Number.isInteger(value) ? value : Math.trunc(value)
  if (value === null || value === undefined) return 1
  const match = /\d+/.exec(String(value))
  return match === null ? 1 : Number(match[0])
}

export function asText(value: unknown): string {
  if (typeof value === 'string') return value
  if (Buffer.isBuffer(value)) return value.toString('utf8')
  return String(value)
}

/** Throws as parseJsonColumn does when `value` is not JSON, parsing only what is not plainly compact JSON. */
export function checkJsonColumn(value: unknown, column: string): void {
  if (typeof value === 'string' && value.length <= 2 * MAX_JSON_DEPTH && isCompactJson(value)) return
  parseJsonColumn(value, column)
}
