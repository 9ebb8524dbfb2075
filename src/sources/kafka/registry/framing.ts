/**
 * Where a registry-framed Kafka key or value says which schema wrote it. Forms in use:
 * - Confluent: 0x00, a 4-byte big-endian schema id, then the payload;
 * - Confluent's newer prefix: 0x01 and a 16-byte schema GUID, then the payload;
 * - Confluent's header form: `__value_schema_id` / `__key_schema_id` holds those same bytes
 *   and the value is the bare payload;
 * - Apicurio 2.x: 0x00 and an 8-byte global id (`--schema-id-size 8`); 3.x writes Confluent's
 *   4-byte form with a content id. Also its `apicurio.value.globalId` header (8 bytes).
 * For Protobuf the message-index array follows the id (in the prefix or the header); only the
 * Protobuf deserializer reads it, so it is handed on as `indexes`.
 */

export type SchemaRef = { kind: 'id'; id: number } | { kind: 'guid'; guid: string }

export type Part = 'key' | 'value'

export interface Framed {
  ref: SchemaRef
  /** The serialized payload (for Protobuf still led by the message indexes when `indexes` is 'payload'). */
  payload: Buffer
  /** Where Protobuf's message indexes are: at the start of the payload, or in these header bytes. */
  indexes: 'payload' | Buffer
  /** How it was framed, for messages: "prefix", "header __value_schema_id". */
  form: string
}

export type Headers = Record<string, Buffer | string | Array<Buffer | string> | undefined>

/** 4: Confluent and Apicurio 3.x; 8: Apicurio 2.x global ids. */
export type IdSize = 4 | 8

function headerBytes(headers: Headers, name: string): Buffer | undefined {
  let value = headers[name]
  if (Array.isArray(value)) value = value[value.length - 1]
  if (value === undefined || value === null) return undefined
  return typeof value === 'string' ? Buffer.from(value, 'latin1') : value
}

export function guidText(bytes: Buffer): string {
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}

/** The id bytes at the start of `bytes` (magic byte first), or undefined when they are not a frame. */
function readPrefix(bytes: Buffer, idSize: IdSize): { ref: SchemaRef; length: number } | undefined {
  if (bytes.length === 0) return undefined
  if (bytes[0] === 0 && idSize === 4 && bytes.length >= 5) return { ref: { kind: 'id', id: bytes.readUInt32BE(1) }, length: 5 }
  if (bytes[0] === 0 && idSize === 8 && bytes.length >= 9) {
    const id = bytes.readBigUInt64BE(1)
    if (id > BigInt(Number.MAX_SAFE_INTEGER)) return undefined
    return { ref: { kind: 'id', id: Number(id) }, length: 9 }
  }
  if (bytes[0] === 1 && bytes.length >= 17) return { ref: { kind: 'guid', guid: guidText(bytes.subarray(1, 17)) }, length: 17 }
  return undefined
}

/**
 * The schema reference of a key or value, from its headers first (they win, as in Confluent's
 * DualSchemaIdDeserializer), then its prefix. Undefined: not framed for a registry.
 */
const CONFLUENT_HEADER = { key: '__key_schema_id', value: '__value_schema_id' } as const
const APICURIO_HEADER = { key: 'apicurio.key.globalId', value: 'apicurio.value.globalId' } as const

export function readFraming(bytes: Buffer, headers: Headers, part: Part, idSize: IdSize = 4): Framed | undefined {
  const confluentHeader = CONFLUENT_HEADER[part]
  const inHeader = headerBytes(headers, confluentHeader)
  if (inHeader !== undefined) {
    const prefix = readPrefix(inHeader, inHeader[0] === 0 ? 4 : idSize)
    if (prefix !== undefined) return { ref: prefix.ref, payload: bytes, indexes: inHeader.subarray(prefix.length), form: `header ${confluentHeader}` }
  }
  const apicurioHeader = APICURIO_HEADER[part]
  const globalId = headerBytes(headers, apicurioHeader)
  if (globalId !== undefined && globalId.length === 8 && globalId.readBigUInt64BE(0) <= BigInt(Number.MAX_SAFE_INTEGER)) {
    return { ref: { kind: 'id', id: Number(globalId.readBigUInt64BE(0)) }, payload: bytes, indexes: 'payload', form: `header ${apicurioHeader}` }
  }
  const prefix = readPrefix(bytes, idSize)
  if (prefix === undefined) return undefined
  return { ref: prefix.ref, payload: bytes.subarray(prefix.length), indexes: 'payload', form: 'prefix' }
}

export function refText(ref: SchemaRef): string {
  return ref.kind === 'id' ? `schema id ${ref.id}` : `schema guid ${ref.guid}`
}

/** Confluent's message-index array: a zigzag varint count, then that many zigzag varint indexes; 0 alone is [0]. */
export function readMessageIndexes(bytes: Buffer): { indexes: number[]; length: number } {
  let at = 0
  const varint = (): number => {
    let result = 0
    let shift = 0
    for (;;) {
      if (at >= bytes.length) throw new Error('the message indexes run past the end')
      const byte = bytes[at++]
      result += (byte & 0x7f) * 2 ** shift
      if ((byte & 0x80) === 0) break
      shift += 7
      if (shift > 49) throw new Error('a message index is too long')
    }
    // zigzag
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2
  }
  const count = varint()
  if (count === 0) return { indexes: [0], length: at }
  if (count < 0 || count > 100) throw new Error(`the message-index count ${count} is not valid`)
  const indexes: number[] = []
  for (let i = 0; i < count; i++) {
    const index = varint()
    if (index < 0) throw new Error(`the message index ${index} is negative`)
    indexes.push(index)
  }
  return { indexes, length: at }
}
