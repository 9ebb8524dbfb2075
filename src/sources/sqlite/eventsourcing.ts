import { InvalidValueError } from './values.js'
import { nestsDeeperThan, tooDeep } from '../../events/json-depth.js'

/**
 * The Python `eventsourcing` library stores each event as `topic` ("module:Class.Event")
 * and `state`: the event object's attributes as JSON, with custom types written as
 * {"_type_": NAME, "_data_": VALUE} (datetime_iso, uuid_hex, decimal_str, ...).
 */
const ENVELOPE = new Set(['originator_id', 'originator_version', 'timestamp', 'originator_topic', 'class_version'])

function untranscode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(untranscode)
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>
    if ('_type_' in record && '_data_' in record && Object.keys(record).length === 2) {
      const data = untranscode(record._data_)
      if (record._type_ === 'uuid_hex' && typeof data === 'string' && data.length === 32) {
        return `${data.slice(0, 8)}-${data.slice(8, 12)}-${data.slice(12, 16)}-${data.slice(16, 20)}-${data.slice(20)}`
      }
      return data
    }
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(record)) out[key] = untranscode(record[key])
    return out
  }
  return value
}

export interface DecodedStoredEvent {
  data: Record<string, unknown>
  time: unknown
  /** The event class's `class_version` (written only when above 1). */
  schemaVersion: number
}

export function decodeStoredEventState(state: unknown): DecodedStoredEvent {
  let text: string
  if (Buffer.isBuffer(state)) {
    // JSON starts with "{"; zlib starts 0x78, encrypted bytes with a random nonce.
    if (state.length > 0 && state[0] !== 0x7b) {
      throw new InvalidValueError(
        'state is not JSON: the store is compressed or encrypted (COMPRESSOR_TOPIC / CIPHER_TOPIC); rewind reads only plain JSON eventsourcing stores',
      )
    }
    text = state.toString('utf8')
  } else text = String(state)
  if (nestsDeeperThan(text)) throw new InvalidValueError(tooDeep('state'))
  const parsed = untranscode(JSON.parse(text)) as Record<string, unknown>
  const data: Record<string, unknown> = {}
  for (const key of Object.keys(parsed)) if (!ENVELOPE.has(key)) data[key] = parsed[key]
  const schemaVersion = typeof parsed.class_version === 'number' ? parsed.class_version : 1
  return { data, time: parsed.timestamp, schemaVersion }
}
