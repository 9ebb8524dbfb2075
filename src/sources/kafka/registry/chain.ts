/**
 * The deserializer chain of a topic (one file per format beside this one, as kafkactl has them):
 * reads a key's or value's framing, finds its schema (--schemas DIR first, then the registry) and
 * hands the payload to the deserializer of the schema's format. Fetching is async and done per
 * batch by prepare(); decode() is then synchronous, as the Kafka decoder is.
 */
import type { KafkaRecord } from '../kafka-client.js'
import { AvroDeserializer } from './avro-deserializer.js'
import type { CompiledSchema, Deserializer } from './deserializer.js'
import { readFraming, refText, type Framed, type Headers, type IdSize, type Part, type SchemaRef } from './framing.js'
import { JsonSchemaDeserializer } from './json-schema-deserializer.js'
import { ProtobufDeserializer } from './protobuf-deserializer.js'
import { RegistryClient, type RegistryOptions } from './registry-client.js'
import { refKey, type SchemaProvider, type SchemaType } from './schema.js'
import { SchemaDirectory } from './schema-dir.js'

/** Where schemas come from and how ids are framed (plain data: it crosses to worker threads). */
export interface SchemaOptions {
  registry?: RegistryOptions
  schemasDir?: string
  idSize: IdSize
  /** --reader-schema: the Avro schema values are read as (its text). */
  readerSchema?: string
}

/** What meta.schema says of a decoded key or value. */
export interface SchemaInfo {
  id?: number
  guid?: string
  format: SchemaType
  name?: string
}

export type PartResult = { value: unknown; schema: SchemaInfo } | { failure: string; ref: SchemaRef }

type Compiled = { schema: CompiledSchema; format: SchemaType } | { failure: string }


export class DeserializerChain {
  private readonly providers: SchemaProvider[] = []
  private readonly compiled = new Map<string, Compiled>()
  private readonly deserializers: Deserializer[]

  constructor(readonly options: SchemaOptions, onWarning: (message: string) => void = () => {}) {
    if (options.schemasDir !== undefined) this.providers.push(new SchemaDirectory(options.schemasDir))
    if (options.registry !== undefined) this.providers.push(new RegistryClient(options.registry, onWarning))
    this.deserializers = [new AvroDeserializer(options.readerSchema), new ProtobufDeserializer(), new JsonSchemaDeserializer()]
  }

  private framing(bytes: Buffer | null, headers: Headers, part: Part): Framed | undefined {
    return bytes === null || bytes === undefined ? undefined : readFraming(bytes, headers, part, this.options.idSize)
  }

  /** Looks up (and fetches) the schemas these records name. Never throws. */
  async prepare(records: KafkaRecord[], topic: string): Promise<void> {
    const wanted = new Map<string, { ref: SchemaRef; topic: string; part: Part }>()
    for (const record of records) {
      for (const part of ['key', 'value'] as const) {
        const framed = this.framing(record[part], record.headers, part)
        if (framed === undefined) continue
        const key = `${refKey(framed.ref)}|${part}`
        if (!wanted.has(key) && !this.compiled.has(`${key}|${topic}`)) wanted.set(key, { ref: framed.ref, topic, part })
      }
    }
    let left = [...wanted.values()]
    for (const provider of this.providers) {
      if (left.length === 0) return
      await provider.load(left)
      left = left.filter((w) => 'missing' in provider.lookup(w.ref, w.topic, w.part))
    }
  }

  private schemaFor(ref: SchemaRef, topic: string, part: Part): Compiled {
    const key = ref.kind === 'id' ? `id-${ref.id}|${part}|${topic}` : `${refKey(ref)}|${part}|${topic}`
    let compiled = this.compiled.get(key)
    if (compiled !== undefined) return compiled
    const reasons: string[] = []
    for (const provider of this.providers) {
      const found = provider.lookup(ref, topic, part)
      if ('missing' in found) {
        reasons.push(found.missing)
        continue
      }
      const deserializer = this.deserializers.find((d) => d.schemaType === found.schemaType)!
      try {
        compiled = { schema: deserializer.compile(found, part), format: found.schemaType }
      } catch (error) {
        compiled = { failure: `the ${found.schemaType} schema from ${found.origin} cannot be used: ${(error as Error).message}` }
      }
      this.compiled.set(key, compiled)
      return compiled
    }
    compiled = { failure: reasons.length === 0 ? `${refText(ref)}: no --registry or --schemas given` : reasons.join('; ') }
    this.compiled.set(key, compiled)
    return compiled
  }

  /**
   * A record's key and value, each decoded when framed: the key as text (JSON text when not a
   * string), the value's result for envelope.ts. A key that cannot be decoded is base64, with a
   * warning; with --skip-invalid a key or value that cannot be decoded leaves the record out.
   */
  decodeRecord(record: KafkaRecord, topic: string, skipInvalid: boolean, warn: (message: string) => void): { skip: string } | { key?: string; keySchema?: SchemaInfo; value?: PartResult } {
    const where = `${topic} ${record.partition}:${record.offset}`
    let key: string | undefined
    let keySchema: SchemaInfo | undefined
    const decodedKey = record.key === null || record.key === undefined ? undefined : this.decode(record.key, record.headers, 'key', topic)
    if (decodedKey !== undefined && 'failure' in decodedKey) {
      if (skipInvalid) return { skip: `${where}: the key (${refText(decodedKey.ref)}) is left out (--skip-invalid): ${decodedKey.failure}` }
      warn(`${where}: the key cannot be decoded (${decodedKey.failure}); shown as base64`)
      key = record.key!.toString('base64')
    } else if (decodedKey !== undefined) {
      key = typeof decodedKey.value === 'string' ? decodedKey.value : JSON.stringify(decodedKey.value)
      keySchema = decodedKey.schema
    }
    const value = this.decode(record.value, record.headers, 'value', topic)
    if (value !== undefined && 'failure' in value && skipInvalid) return { skip: `${where}: the value (${refText(value.ref)}) is left out (--skip-invalid): ${value.failure}` }
    return { key, keySchema, value }
  }

  /** The key or value decoded with its schema; undefined when it is not framed for a registry. */
  decode(bytes: Buffer | null, headers: Headers, part: Part, topic: string): PartResult | undefined {
    const framed = this.framing(bytes, headers, part)
    if (framed === undefined) return undefined
    const compiled = this.schemaFor(framed.ref, topic, part)
    if ('failure' in compiled) return { failure: compiled.failure, ref: framed.ref }
    let decoded: { value: unknown; name?: string }
    try {
      decoded = compiled.schema.decode(framed)
    } catch (error) {
      return { failure: `the bytes do not match ${refText(framed.ref)} (${framed.form}): ${(error as Error).message}`, ref: framed.ref }
    }
    const info: SchemaInfo = framed.ref.kind === 'id' ? { id: framed.ref.id, format: compiled.format } : { guid: framed.ref.guid, format: compiled.format }
    const name = decoded.name ?? compiled.schema.name
    if (name !== undefined) info.name = name
    return { value: decoded.value, schema: info }
  }
}
