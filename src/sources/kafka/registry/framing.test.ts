import { describe, expect, it } from 'vitest'
import { readFraming, readMessageIndexes } from './framing.js'

const GUID = '0f8fad5b-d9cb-469f-a165-70867728950e'
const guidBytes = Buffer.from(GUID.replace(/-/g, ''), 'hex')

describe('registry framing', () => {
  it('reads Confluent 0x00 + 4-byte id, and 0x01 + GUID', () => {
    expect(readFraming(Buffer.from([0, 0, 0, 1, 2, 9, 9]), {}, 'value')).toMatchObject({ ref: { kind: 'id', id: 258 }, payload: Buffer.from([9, 9]), form: 'prefix' })
    expect(readFraming(Buffer.concat([Buffer.from([1]), guidBytes, Buffer.from([7])]), {}, 'value')).toMatchObject({ ref: { kind: 'guid', guid: GUID }, payload: Buffer.from([7]) })
  })

  it('reads Apicurio 2.x 8-byte global ids only when told (--schema-id-size 8), and its globalId header', () => {
    const bytes = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 42, 5])
    expect(readFraming(bytes, {}, 'value', 8)).toMatchObject({ ref: { kind: 'id', id: 42 }, payload: Buffer.from([5]) })
    expect(readFraming(bytes, {}, 'value', 4)).toMatchObject({ ref: { kind: 'id', id: 0 } })
    const header = Buffer.alloc(8)
    header.writeBigUInt64BE(77n)
    expect(readFraming(Buffer.from('{}'), { 'apicurio.value.globalId': header }, 'value')).toMatchObject({ ref: { kind: 'id', id: 77 }, payload: Buffer.from('{}') })
  })

  it('takes the id from __value_schema_id / __key_schema_id before the prefix; Protobuf indexes stay in the header', () => {
    const header = Buffer.concat([Buffer.from([1]), guidBytes, Buffer.from([4, 2, 2])])
    const framed = readFraming(Buffer.from([8, 1]), { __key_schema_id: header }, 'key')!
    expect(framed.ref).toEqual({ kind: 'guid', guid: GUID })
    expect(framed.payload).toEqual(Buffer.from([8, 1]))
    expect(framed.indexes).toEqual(Buffer.from([4, 2, 2]))
    expect(readFraming(Buffer.from([8, 1]), { __key_schema_id: header }, 'value')).toBeUndefined()
  })

  it('is not fooled by text or short values', () => {
    expect(readFraming(Buffer.from('{"a":1}'), {}, 'value')).toBeUndefined()
    expect(readFraming(Buffer.from([0, 1]), {}, 'value')).toBeUndefined()
  })

  it('reads the zigzag message-index array: 0 alone is [0], [1, 2] is 04 02 04', () => {
    expect(readMessageIndexes(Buffer.from([0, 99]))).toEqual({ indexes: [0], length: 1 })
    expect(readMessageIndexes(Buffer.from([4, 2, 4, 99]))).toEqual({ indexes: [1, 2], length: 3 })
    expect(() => readMessageIndexes(Buffer.from([3]))).toThrow(/count -2 is not valid/)
    expect(() => readMessageIndexes(Buffer.from([4, 2]))).toThrow(/run past the end/)
  })
})
