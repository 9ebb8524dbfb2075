import type { Framed, Part } from './framing.js'
import type { ResolvedSchema, SchemaType } from './schema.js'

/** A schema ready to decode payloads with. */
export interface CompiledSchema {
  /** The record / message / title the schema names: the event type when the payload names none. */
  name?: string
  /** The payload in its JSON form (json-form.ts), and the message it is when not `name`; throws when the bytes do not match. */
  decode(framed: Framed): { value: unknown; name?: string }
}

/** One format of the chain (chain.ts): Avro, Protobuf or JSON Schema. */
export interface Deserializer {
  readonly schemaType: SchemaType
  /** Throws when the schema itself cannot be used. */
  compile(schema: ResolvedSchema, part?: Part): CompiledSchema
}
