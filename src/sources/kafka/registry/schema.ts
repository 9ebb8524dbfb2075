import type { Part, SchemaRef } from './framing.js'

export type SchemaType = 'AVRO' | 'PROTOBUF' | 'JSON'

/** A schema a reference it names: `name` is what the schema calls it (an Avro full name, a .proto import path). */
export interface NamedSchema {
  name: string
  schemaType: SchemaType
  schema: string
}

/** A schema with every schema it refers to, transitively, dependencies first. */
export interface ResolvedSchema {
  schemaType: SchemaType
  schema: string
  references: NamedSchema[]
  /** Where it came from, for messages: "registry http://host:8081", "schemas/orders-value.avsc". */
  origin: string
}

/** Where schemas come from: a registry (cached on disk), a directory, or both. */
export interface SchemaProvider {
  /** Fetches what is not known yet; after it, lookup() answers these synchronously. Never throws. */
  load(wanted: Array<{ ref: SchemaRef; topic: string; part: Part }>): Promise<void>
  /** The schema, or why there is none. */
  lookup(ref: SchemaRef, topic: string, part: Part): ResolvedSchema | { missing: string }
}

export function schemaTypeOf(value: unknown): SchemaType | undefined {
  if (value === undefined || value === null || value === '') return 'AVRO'
  const upper = String(value).toUpperCase()
  return upper === 'AVRO' || upper === 'PROTOBUF' || upper === 'JSON' ? upper : undefined
}

export const refKey = (ref: SchemaRef): string => (ref.kind === 'id' ? `id-${ref.id}` : `guid-${ref.guid}`)
