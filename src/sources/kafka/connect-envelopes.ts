/**
 * What Kafka Connect and Debezium put around an event, taken off before the event is read:
 * - the JSON converter with schemas.enable=true: `{"schema": {...}, "payload": ...}` -> the payload;
 * - a payload that is itself JSON in a string (Debezium's outbox router with a text payload column,
 *   or the JSON converter over a string) -> the parsed JSON;
 * - Debezium change events (`before`, `after`, `op`, `source`): typed TABLE.OPERATION
 *   (`accounts.update`), timed by `ts_ms`, the whole change as data.
 * The outbox router's headers (`id`, and `eventType` when placed there) are read by envelope.ts.
 */
type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value)

/** JSON text in a string, parsed when it is an object or array; else the value as it was. */
export function parseJsonText(value: unknown): unknown {
  if (typeof value !== 'string') return value
  const first = value.trimStart().charCodeAt(0)
  if (first !== 123 && first !== 91) return value
  try {
    return JSON.parse(value) as unknown
  } catch {
    return value
  }
}

/** Connect's `{schema, payload}` to the payload (and JSON text in it parsed); anything else as it is. */
export function unwrapConnect(value: unknown): unknown {
  if (isObject(value) && 'payload' in value && 'schema' in value && Object.keys(value).length === 2 && (value.schema === null || (isObject(value.schema) && typeof value.schema.type === 'string'))) {
    return parseJsonText(value.payload)
  }
  return parseJsonText(value)
}

const OPERATIONS: Record<string, string> = { c: 'create', u: 'update', d: 'delete', r: 'read', t: 'truncate', m: 'message' }

export interface ChangeEvent {
  type: string
  /** ts_ms of the event, else of the source (milliseconds). */
  time?: number
}

/** A Debezium change event's type and time; undefined when the value is not one. */
export function debeziumChange(value: unknown): ChangeEvent | undefined {
  if (!isObject(value) || typeof value.op !== 'string' || !isObject(value.source) || !('after' in value || 'before' in value)) return undefined
  const operation = OPERATIONS[value.op]
  if (operation === undefined) return undefined
  const source = value.source
  const table = typeof source.table === 'string' ? source.table : typeof source.collection === 'string' ? source.collection : 'change'
  const ts = typeof value.ts_ms === 'number' ? value.ts_ms : typeof source.ts_ms === 'number' ? source.ts_ms : undefined
  return { type: `${table}.${operation}`, time: ts }
}

/** A Debezium key (`{"id": 7}`, maybe in Connect's envelope): its one field's value, as the stream. */
export function singleFieldKey(key: string): string | undefined {
  if (key.charCodeAt(0) !== 123) return undefined
  let parsed: unknown
  try {
    parsed = unwrapConnect(JSON.parse(key))
  } catch {
    return undefined
  }
  if (!isObject(parsed)) return undefined
  const names = Object.keys(parsed)
  if (names.length !== 1) return undefined
  const only = parsed[names[0]]
  return typeof only === 'string' || typeof only === 'number' || typeof only === 'bigint' ? String(only) : undefined
}

/** A key in JSON quotes ("acc-1", as Connect's JSON converter writes strings) or in Connect's {schema, payload}, as text. */
export function connectKey(key: string): string {
  const first = key.charCodeAt(0)
  if (first !== 34 && !(first === 123 && key.includes('"payload"'))) return key
  let json: unknown
  try {
    json = JSON.parse(key)
  } catch {
    return key
  }
  const parsed = unwrapConnect(json)
  if (parsed === json && typeof parsed !== 'string') return key
  if (typeof parsed === 'string') return parsed
  return typeof parsed === 'number' || typeof parsed === 'boolean' ? String(parsed) : JSON.stringify(parsed)
}
