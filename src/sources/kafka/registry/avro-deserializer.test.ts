import avro from 'avsc'
import { describe, expect, it } from 'vitest'
import { AvroDeserializer } from './avro-deserializer.js'

function decode(schema: unknown, bytes: Buffer) {
  const compiled = new AvroDeserializer().compile({ schemaType: 'AVRO', schema: JSON.stringify(schema), references: [], origin: 'test' })
  return compiled.decode({ ref: { kind: 'id', id: 1 }, payload: bytes, indexes: 'payload', form: 'prefix' }).value
}

/** Avro's zigzag varint long, as any writer encodes it. */
function zigzagLong(n: bigint): Buffer {
  let z = (n << 1n) ^ (n >> 63n)
  z = BigInt.asUintN(64, z)
  const out: number[] = []
  while (z >= 0x80n) {
    out.push(Number(z & 0x7fn) | 0x80)
    z >>= 7n
  }
  out.push(Number(z))
  return Buffer.from(out)
}

describe('Avro JSON form', () => {
  it('longs beyond 2^53 are exact strings, smaller ones numbers, also under a logical type or attributes', () => {
    expect(decode('long', zigzagLong(2n ** 62n + 1n))).toBe('4611686018427387905')
    expect(decode('long', zigzagLong(-3n))).toBe(-3)
    expect(decode({ type: 'long', 'connect.name': 'x' }, zigzagLong(-(2n ** 63n)))).toBe('-9223372036854775808')
    expect(decode({ type: 'long', logicalType: 'timestamp-nanos' }, zigzagLong(1n))).toBe('1970-01-01T00:00:00.000000001Z')
    expect(decode({ type: 'long', logicalType: 'timestamp-millis' }, zigzagLong(-1n))).toBe('1969-12-31T23:59:59.999Z')
    expect(decode({ type: 'long', logicalType: 'local-timestamp-micros' }, zigzagLong(1_500_000n))).toBe('1970-01-01T00:00:01.500000')
  })

  it('decimals at their scale, bytes as base64, time of day, NaN as text', () => {
    const type = avro.Type.forSchema({ type: 'record', name: 'R', fields: [{ name: 'd', type: 'bytes' }, { name: 'b', type: 'bytes' }, { name: 't', type: 'int' }, { name: 'f', type: 'double' }] })
    const bytes = type.toBuffer({ d: Buffer.from([0xff, 0x85]), b: Buffer.from('hi'), t: 3_723_004, f: Number.NaN })
    const schema = { type: 'record', name: 'R', fields: [
      { name: 'd', type: { type: 'bytes', logicalType: 'decimal', precision: 5, scale: 3 } },
      { name: 'b', type: 'bytes' },
      { name: 't', type: { type: 'int', logicalType: 'time-millis' } },
      { name: 'f', type: 'double' },
    ] }
    expect(decode(schema, bytes)).toEqual({ d: '-0.123', b: 'aGk=', t: '01:02:03.004', f: 'NaN' })
  })

  it('bytes that do not match the schema throw (the chain shows them as base64)', () => {
    expect(() => decode({ type: 'record', name: 'R', fields: [{ name: 's', type: 'string' }] }, Buffer.from([20, 65]))).toThrow()
  })
})
