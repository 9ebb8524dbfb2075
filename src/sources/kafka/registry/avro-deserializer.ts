/**
 * Avro binary payloads, decoded with avsc. Longs are read as BigInt (never rounded); logical types
 * become text: decimal "12.30" (exact, at its scale), timestamps ISO 8601 at their precision
 * ("...T10:00:00.123456Z"; local-timestamp without Z), date "2024-05-01", time "10:00:00.123",
 * duration {months, days, milliseconds}. Unions show the value of their branch, except when two
 * branches look alike in JSON (two records, int and long...): then as {"BRANCH": value}, as
 * Avro's JSON encoding does, so the branch is never lost. Enums: their symbol.
 */
import avro from 'avsc'
import type { Framed, Part } from './framing.js'
import type { CompiledSchema, Deserializer } from './deserializer.js'
import { integerJson, jsonForm } from './json-form.js'
import type { ResolvedSchema } from './schema.js'

const { LogicalType, LongType } = avro.types

const BigLong = LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint) => {
    const buf = Buffer.alloc(8)
    buf.writeBigInt64LE(BigInt(n))
    return buf
  },
  fromJSON: (json: unknown) => BigInt(json as number),
  toJSON: (n: bigint) => integerJson(n),
  isValid: (n: unknown) => typeof n === 'bigint',
  compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
})

const asBig = (value: unknown): bigint => (typeof value === 'bigint' ? value : BigInt(value as number))

/** An instant as ISO 8601 with `digits` fraction digits, from a count of 10^-digits seconds; the raw count when out of Date's range. */
function isoInstant(count: bigint, digits: number, utc: boolean): string | number {
  // Most instants: milliseconds in a safe number, without BigInt arithmetic.
  if (digits === 3 && count >= -8_640_000_000_000_000n && count <= 8_640_000_000_000_000n) {
    const text = new Date(Number(count)).toISOString()
    return utc ? text : text.slice(0, -1)
  }
  const unit = 10n ** BigInt(digits)
  let seconds = count / unit
  let fraction = count % unit
  if (fraction < 0n) {
    fraction += unit
    seconds -= 1n
  }
  const ms = Number(seconds) * 1000
  if (!(Math.abs(ms) <= 8.64e15)) return integerJson(count)
  const base = new Date(ms).toISOString().slice(0, -5)
  return `${base}.${fraction.toString().padStart(digits, '0')}${utc ? 'Z' : ''}`
}

function timeOfDay(count: bigint, digits: number): string {
  const unit = 10n ** BigInt(digits)
  const seconds = Number(count / unit)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}.${(count % unit).toString().padStart(digits, '0')}`
}

function decimalText(bytes: Buffer, scale: number): string {
  let unscaled = bytes.length === 0 ? 0n : BigInt.asIntN(bytes.length * 8, BigInt(`0x${bytes.toString('hex')}`))
  const negative = unscaled < 0n
  if (negative) unscaled = -unscaled
  let digits = unscaled.toString()
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0')
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`
  }
  return negative ? `-${digits}` : digits
}

type Convert = (value: unknown, schema: Record<string, unknown>) => unknown

/** A decode-only logical type; values become their JSON form. */
function logical(convert: Convert, underlying: string[]): typeof LogicalType {
  return class extends LogicalType {
    private readonly attrs: Record<string, unknown>
    constructor(schema: Record<string, unknown>, opts?: unknown) {
      super(schema as avro.Schema, opts)
      const base = (this.underlyingType as unknown as { typeName: string }).typeName.replace(/^abstract:/, '')
      if (!underlying.includes(base)) throw new Error(`logical type ${String(schema.logicalType)} on ${base}`)
      this.attrs = schema
    }
    protected override _fromValue(value: unknown): unknown {
      return convert(value, this.attrs)
    }
    protected override _toValue(): unknown {
      throw new Error('rewind only decodes Avro')
    }
    /** --reader-schema: the same logical type reads as written; its bare underlying type is converted. */
    protected override _resolve(writer: avro.Type): unknown {
      const named = writer as unknown as { _logicalTypeName?: string; attrs?: Record<string, unknown>; typeName: string }
      if (named._logicalTypeName === this.attrs.logicalType) return named.attrs?.scale === this.attrs.scale ? (value: unknown) => value : undefined
      const base = (this.underlyingType as unknown as { typeName: string }).typeName.replace(/^abstract:/, '')
      return named.typeName.replace(/^abstract:/, '') === base ? (value: unknown) => convert(value, this.attrs) : undefined
    }
  } as unknown as typeof LogicalType
}

const LOGICAL_TYPES = {
  decimal: logical((v, s) => decimalText(v as Buffer, Number(s.scale ?? 0)), ['bytes', 'fixed']),
  'timestamp-millis': logical((v) => isoInstant(asBig(v), 3, true), ['long']),
  'timestamp-micros': logical((v) => isoInstant(asBig(v), 6, true), ['long']),
  'timestamp-nanos': logical((v) => isoInstant(asBig(v), 9, true), ['long']),
  'local-timestamp-millis': logical((v) => isoInstant(asBig(v), 3, false), ['long']),
  'local-timestamp-micros': logical((v) => isoInstant(asBig(v), 6, false), ['long']),
  'local-timestamp-nanos': logical((v) => isoInstant(asBig(v), 9, false), ['long']),
  date: logical((v) => new Date(Number(v) * 86_400_000).toISOString().slice(0, 10), ['int']),
  'time-millis': logical((v) => timeOfDay(asBig(v), 3), ['int']),
  'time-micros': logical((v) => timeOfDay(asBig(v), 6), ['long']),
  duration: logical((v) => {
    const b = v as Buffer
    return { months: b.readUInt32LE(0), days: b.readUInt32LE(4), milliseconds: b.readUInt32LE(8) }
  }, ['fixed']),
}

let underlying = false

/**
 * Every long is read as BigInt, also `{"type": "long", ...}` with attributes (Connect's
 * connect.name, an unknown logicalType), which avsc would otherwise read as a number and refuse
 * beyond 2^53. A known logical type on a long is built here, its underlying long then being ours.
 */
function bigLongs(schema: unknown, opts: unknown): unknown {
  if (schema === 'long') return BigLong
  if (schema === null || typeof schema !== 'object' || (schema as { type?: unknown }).type !== 'long') return undefined
  if (underlying) return BigLong
  const Logical = LOGICAL_TYPES[(schema as { logicalType?: string }).logicalType as keyof typeof LOGICAL_TYPES] as unknown as (new (schema: unknown, opts: unknown) => unknown) | undefined
  if (Logical === undefined) return BigLong
  underlying = true
  try {
    return new Logical(schema, opts)
  } finally {
    underlying = false
  }
}

export class AvroDeserializer implements Deserializer {
  readonly schemaType = 'AVRO' as const

  /** `readerSchema`: --reader-schema, the schema values are read as (Avro schema resolution). */
  constructor(private readonly readerSchema?: string) {}

  compile(resolved: ResolvedSchema, part: Part = 'value'): CompiledSchema {
    // Named types of the references first, into one registry the schema then refers to.
    const options = () => ({ registry: { long: BigLong }, logicalTypes: LOGICAL_TYPES, wrapUnions: 'auto', typeHook: bigLongs }) as unknown as Partial<avro.ForSchemaOptions>
    const writerOptions = options()
    for (const reference of resolved.references) {
      if (reference.schemaType === 'AVRO') avro.Type.forSchema(JSON.parse(reference.schema) as avro.Schema, writerOptions)
    }
    const writer = avro.Type.forSchema(JSON.parse(resolved.schema) as avro.Schema, writerOptions)
    if (this.readerSchema === undefined || part !== 'value') {
      return { name: writer.name, decode: (framed: Framed) => ({ value: jsonForm(writer.fromBuffer(framed.payload)) }) }
    }
    const reader = avro.Type.forSchema(JSON.parse(this.readerSchema) as avro.Schema, options())
    let resolver: ReturnType<avro.Type["createResolver"]>
    try {
      resolver = reader.createResolver(writer)
    } catch (error) {
      throw new Error(`the reader schema (--reader-schema) cannot read it: ${(error as Error).message.split('\n')[0]}`)
    }
    return { name: reader.name, decode: (framed: Framed) => ({ value: jsonForm(reader.fromBuffer(framed.payload, resolver)) }) }
  }
}
