import { UserError } from '../../errors.js'
import { nestsDeeperThan, tooDeep } from '../../events/json-depth.js'
import type { Event } from '../../events/event.js'
import { normalizeStoredTime } from '../../events/time.js'
import type { KafkaRecord } from './kafka-client.js'

/**
 * Kafka message -> Event. The value may be:
 * - a JSON envelope: type in eventType/type/event_type, data in data/payload (else the other
 *   fields), eventId/id, timestamp/time/occurredAt, schemaVersion/version, meta/metadata;
 * - a CloudEvent in structured mode (JSON with specversion) or binary mode (ce_* headers);
 * - plain JSON without a type (the type then comes from a ce_type/eventType/type header);
 * - anything else: shown as text (valid UTF-8) or base64, with a warning. Never a crash.
 * The stream is the message key, or --stream-path; the time falls back to the Kafka timestamp.
 */
export interface DecoderOptions {
  topic: string
  /** --stream-path, e.g. data.accountId. */
  streamPath?: string
  onWarning?: (message: string) => void
  /** Warnings passed on before one "further messages..." line (default 5; Infinity: all). */
  warnLimit?: number
}

const CE_CORE = new Set(['specversion', 'type', 'id', 'time', 'data', 'data_base64'])

/** Passes the first `limit` not-JSON warnings on, then says once that the rest are not shown. */
export class WarningLimit {
  private count = 0

  constructor(private readonly limit = 5) {}

  pass(message: string, onWarning: (message: string) => void): void {
    this.count++
    if (this.count <= this.limit) onWarning(message)
    if (this.count === this.limit) onWarning('further messages that are not JSON are shown without a warning')
  }
}

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value)

interface Envelope {
  type: string
  data: unknown
  meta: Json
  time: unknown
  schemaVersion: number
  stream: unknown
}

/**
 * Reads an event envelope in one pass over its fields (this runs for every message): type from
 * eventType/type/event_type, data from data/payload (else the remaining fields), eventId/id,
 * timestamp/time/occurredAt, schemaVersion/version, meta/metadata; other fields go to meta.
 * Undefined when no field names a type.
 */
function readEnvelope(parsed: Json): Envelope | undefined {
  let eventType, type, eventTypeSnake, data, payload, eventId, id, timestamp, time, occurredAt, occurredAtSnake
  let schemaVersion, version, schemaVersionSnake, meta, metadata
  let rest: Json | undefined
  for (const name in parsed) {
    const value = parsed[name]
    switch (name) {
      case 'eventType': eventType = value; break
      case 'type': type = value; break
      case 'event_type': eventTypeSnake = value; break
      case 'data': data = value; break
      case 'payload': payload = value; break
      case 'eventId': eventId = value; break
      case 'id': id = value; break
      case 'timestamp': timestamp = value; break
      case 'time': time = value; break
      case 'occurredAt': occurredAt = value; break
      case 'occurred_at': occurredAtSnake = value; break
      case 'schemaVersion': schemaVersion = value; break
      case 'version': version = value; break
      case 'schema_version': schemaVersionSnake = value; break
      case 'meta': meta = value; break
      case 'metadata': metadata = value; break
      default: (rest ??= {})[name] = value
    }
  }
  const eventTypeValue = eventType ?? type ?? eventTypeSnake
  if (typeof eventTypeValue !== 'string') return undefined
  const embedded = meta ?? metadata
  const envelopeMeta: Json = isObject(embedded) ? { ...embedded } : {}
  let eventData: unknown
  if (data !== undefined || payload !== undefined) {
    eventData = data !== undefined ? data : payload
    if (rest !== undefined) Object.assign(envelopeMeta, rest)
  } else {
    // A flat event: everything that is not envelope is data.
    eventData = rest ?? {}
  }
  const eventIdValue = eventId ?? id
  if (eventIdValue !== undefined) envelopeMeta.eventId = eventIdValue
  return {
    type: eventTypeValue,
    data: eventData,
    meta: envelopeMeta,
    time: timestamp ?? time ?? occurredAt ?? occurredAtSnake,
    schemaVersion: schemaVersionOf(schemaVersion ?? version ?? schemaVersionSnake),
    stream: rest === undefined ? undefined : rest.streamId ?? rest.stream ?? rest.aggregateId ?? rest.aggregate_id ?? rest.stream_id,
  }
}

function schemaVersionOf(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value
  if (typeof value === 'string') {
    const match = /^v?(\d+)(\.0+)?$/i.exec(value.trim())
    if (match) return Number(match[1]) || 1
  }
  return 1
}

function headerText(value: Buffer | string | Array<Buffer | string> | undefined): string {
  if (value === undefined || value === null) return ''
  if (Array.isArray(value)) return value.map((v) => headerText(v)).join(',')
  return typeof value === 'string' ? value : value.toString('utf8')
}

/** True when the bytes are UTF-8 text a terminal can show (tabs and newlines allowed). */
function printableText(bytes: Buffer, text: string): boolean {
  if (Buffer.byteLength(text, 'utf8') !== bytes.length || text.includes('\uFFFD')) return false
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(text)
}

function compilePath(path: string): (scope: Json) => unknown {
  const parts = path.split('.')
  if (parts.some((p) => p === '') || !['data', 'meta', 'type', 'key', 'headers'].includes(parts[0])) {
    throw new UserError(`--stream-path "${path}": expected a path such as data.accountId, meta.tenant or headers.aggregate-id`)
  }
  return (scope) => {
    let value: unknown = scope
    for (const part of parts) {
      if (!isObject(value) || !Object.hasOwn(value, part)) return undefined
      value = value[part]
    }
    return value
  }
}

export class KafkaDecoder {
  private readonly streamAt?: (scope: Json) => unknown
  private readonly warnings: WarningLimit

  constructor(readonly options: DecoderOptions) {
    if (options.streamPath !== undefined) this.streamAt = compilePath(options.streamPath)
    this.warnings = new WarningLimit(options.warnLimit)
  }

  private onWarning?: (message: string) => void

  private warn(message: string): void {
    const onWarning = this.onWarning ?? this.options.onWarning
    if (onWarning !== undefined) this.warnings.pass(message, onWarning)
  }

  /** Decodes; warnings go to `onWarning` when given (a command's own), else to the decoder's. */
  decode(record: KafkaRecord, onWarning?: (message: string) => void): Event {
    this.onWarning = onWarning
    const { topic } = this.options
    const key = record.key === null || record.key === undefined ? undefined : record.key.toString('utf8')
    let headers: Record<string, string> | undefined
    for (const name in record.headers) {
      headers ??= {}
      headers[name] = headerText(record.headers[name])
    }
    const kafka: Event['kafka'] = { topic, partition: record.partition, offset: record.offset }
    if (key !== undefined) kafka.key = key
    if (headers !== undefined) kafka.headers = headers

    let type: string | undefined
    let data: unknown = null
    let meta: Json = {}
    let time: unknown
    let schemaVersion = 1
    let stream: unknown
    const ceType = headers?.ce_type

    const value = record.value
    // An empty value is text too (''), not a tombstone.
    const text = value === null || value === undefined ? undefined : value.toString('utf8')
    let envelope: Envelope | undefined
    let parsed: unknown
    let isJson = false
    if (text !== undefined && text.length > 0) {
      const c = text.charCodeAt(0)
      // Only try to parse what can start a JSON value: most bodies are objects.
      if (c === 123 || c === 91 || c === 34 || c === 116 || c === 102 || c === 110 || c === 45 || (c >= 48 && c <= 57) || c === 32 || c === 10 || c === 13 || c === 9) {
        try {
          // Too deep to print or fold: shown as the text it is.
          if (nestsDeeperThan(text)) throw new Error(tooDeep('the value'))
          parsed = JSON.parse(text)
          isJson = true
        } catch {
          isJson = false
        }
      }
    }

    if (value === null || value === undefined) {
      type = ceType ?? '(tombstone)'
      data = null
    } else if (ceType !== undefined && headers !== undefined) {
      // CloudEvents binary mode: attributes in ce_* headers, the value is the data.
      type = ceType
      for (const name in headers) {
        if (!name.startsWith('ce_') || name === 'ce_type' || name === 'ce_specversion' || name === 'ce_time') continue
        meta[name === 'ce_id' ? 'eventId' : name.slice(3)] = headers[name]
      }
      time = headers.ce_time
      const contentType = headers['content-type'] ?? headers.ce_datacontenttype ?? ''
      if (isJson) data = parsed
      else {
        data = this.raw(value, text!, record, /^text\/|xml/i.test(contentType))
        meta.encoding = typeof data === 'string' && printableText(value, text!) ? 'text' : 'base64'
      }
      if (typeof meta.subject === 'string') stream = meta.subject
    } else if (isJson && isObject(parsed) && typeof parsed.specversion === 'string' && typeof parsed.type === 'string') {
      // CloudEvents structured mode.
      type = parsed.type
      if (parsed.data !== undefined) data = parsed.data
      else if (typeof parsed.data_base64 === 'string') {
        const bytes = Buffer.from(parsed.data_base64, 'base64')
        try {
          data = JSON.parse(bytes.toString('utf8'))
        } catch {
          data = parsed.data_base64
          meta.encoding = 'base64'
        }
      }
      if (parsed.id !== undefined) meta.eventId = parsed.id
      for (const name in parsed) if (!CE_CORE.has(name)) meta[name] = parsed[name]
      time = parsed.time
      if (typeof parsed.subject === 'string') stream = parsed.subject
    } else if (isJson && isObject(parsed) && (envelope = readEnvelope(parsed)) !== undefined) {
      // An event envelope.
      type = envelope.type
      data = envelope.data
      meta = envelope.meta
      time = envelope.time
      schemaVersion = envelope.schemaVersion
      stream = envelope.stream
    } else if (isJson) {
      type = headers?.eventType ?? headers?.event_type ?? headers?.type ?? '(untyped)'
      data = parsed
    } else {
      const printable = printableText(value, text!)
      type = headers?.eventType ?? headers?.event_type ?? headers?.type ?? (printable ? '(text)' : '(binary)')
      data = this.raw(value, text!, record, false)
      meta.encoding = printable ? 'text' : 'base64'
    }

    const event: Event = {
      position: `${record.partition}:${record.offset}`,
      stream: '',
      type: type!,
      schemaVersion,
      time: (time === undefined ? undefined : normalizeStoredTime(time)) ?? new Date(Number(record.timestamp)).toISOString(),
      data,
      meta,
      kafka,
    }
    let fromPath: unknown
    if (this.streamAt !== undefined) fromPath = this.streamAt({ data, meta, type: event.type, key, headers })
    const chosen = fromPath ?? key ?? stream
    event.stream = chosen === undefined || chosen === null ? '' : typeof chosen === 'string' ? chosen : JSON.stringify(chosen)
    return event
  }

  /** A value that is not JSON: text when it is printable UTF-8, else base64. */
  private raw(value: Buffer, text: string, record: KafkaRecord, declaredText: boolean): string {
    const where = `${this.options.topic} ${record.partition}:${record.offset}`
    const printable = printableText(value, text)
    if (!declaredText) this.warn(`${where}: the value is not JSON; shown as ${printable ? 'text' : 'base64'}`)
    return printable ? text : value.toString('base64')
  }
}
