/** Decoding of column values as stores write them in the wild. */

export class InvalidValueError extends Error {}

/** JSON held in TEXT or BLOB; null stays null. */
export function parseJsonColumn(value: unknown): unknown {
  if (value === null || value === undefined) return null
  if (typeof value === 'string') return value.length === 0 ? null : JSON.parse(value)
  if (Buffer.isBuffer(value)) return value.length === 0 ? null : JSON.parse(value.toString('utf8'))
  return value
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
