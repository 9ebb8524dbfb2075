import { describe, expect, it } from 'vitest'
import { nestedOrder } from './proto-order.js'
import { ProtobufDeserializer } from './protobuf-deserializer.js'

const TEXT = `syntax = "proto3";
package p;
// message Commented { }
message A {
  map<string, int32> counts_by_name = 1;
  message B { string s = 1; }
  oneof kind { string x = 2; }
  message C { map<string, B> m = 1; message D { int32 n = 1; } }
  string note = 3 [json_name = "message Fake {"];
}
`

describe('protobuf nested order', () => {
  it('counts map entries where protoc puts them, skipping comments and strings', () => {
    const order = nestedOrder(TEXT, 'p')
    expect(order.get('p.A')).toEqual([
      { name: 'p.A.CountsByNameEntry', mapEntry: true }, { name: 'p.A.B', mapEntry: false }, { name: 'p.A.C', mapEntry: false },
    ])
    expect(order.get('p.A.C')!.map((e) => e.name)).toEqual(['p.A.C.MEntry', 'p.A.C.D'])
  })

  it('decodes the message an index array names in .proto text: [0, 2, 1] is p.A.C.D', () => {
    const compiled = new ProtobufDeserializer().compile({ schemaType: 'PROTOBUF', schema: TEXT, references: [], origin: 'test' })
    // indexes [0, 2, 1] (zigzag: count 3 -> 6; 0, 4, 2), then field 1 varint 7
    const decoded = compiled.decode({ ref: { kind: 'id', id: 1 }, payload: Buffer.from([6, 0, 4, 2, 8, 7]), indexes: 'payload', form: 'prefix' })
    expect(decoded).toEqual({ name: 'p.A.C.D', value: { n: 7 } })
  })
})
