/**
 * `rewind schemas export`: the schemas a topic's keys and values name, fetched from the registry
 * and written as a --schemas directory (index.json by id or GUID, one file per schema and per
 * reference), so that the topic can be debugged later without the registry.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { UserError } from '../../../errors.js'
import type { KafkaSource } from '../kafka-source.js'
import { readFraming, type Part, type SchemaRef } from './framing.js'
import { RegistryClient } from './registry-client.js'
import { refKey, type NamedSchema, type ResolvedSchema, type SchemaType } from './schema.js'

const EXTENSION: Record<SchemaType, string> = { AVRO: '.avsc', PROTOBUF: '.proto', JSON: '.json' }

export interface ExportedSchema {
  /** Id or GUID, as index.json keys it. */
  key: string
  file: string
  format: SchemaType
  parts: Part[]
  references: string[]
}

export interface ExportResult {
  dir: string
  schemas: ExportedSchema[]
  /** Schemas named by messages that could not be fetched, with why. */
  missing: string[]
}

/** A reference's file name: its .proto path as imported, or an Avro full name. */
function referenceFile(reference: NamedSchema): string {
  const ext = EXTENSION[reference.schemaType]
  const safe = reference.name.replace(/\.\.+/g, '.').replace(/^[/\\]+/, '')
  return safe.endsWith(ext) ? safe : `${safe}${ext}`
}

export async function exportSchemas(source: KafkaSource, dir: string, onWarning: (message: string) => void): Promise<ExportResult> {
  const options = source.decoderOptions.schemas
  if (options?.registry === undefined) throw new UserError('schemas export reads from a registry: give --registry URL (or KAFKA_SCHEMA_REGISTRY_URL, or config "kafka.registry")')
  const registry = new RegistryClient(options.registry, onWarning)
  const offsets = await source.client.partitionOffsets(source.topic)
  const ranges = offsets.map((p) => ({ partition: p.partition, from: BigInt(p.low), until: BigInt(p.high) }))
  const named = new Map<string, { ref: SchemaRef; parts: Set<Part> }>()
  for await (const records of source.client.consume({ topic: source.topic, ranges, maxWaitMs: 100, onWarning })) {
    for (const record of records) {
      for (const part of ['key', 'value'] as const) {
        const bytes = record[part]
        const framed = bytes === null ? undefined : readFraming(bytes, record.headers, part, options.idSize)
        if (framed === undefined) continue
        const entry = named.get(refKey(framed.ref)) ?? { ref: framed.ref, parts: new Set<Part>() }
        entry.parts.add(part)
        named.set(refKey(framed.ref), entry)
      }
    }
  }
  mkdirSync(dir, { recursive: true })
  const index: Record<string, { file: string; references: string[] }> = {}
  const schemas: ExportedSchema[] = []
  const missing: string[] = []
  for (const { ref, parts } of named.values()) {
    await registry.load([{ ref, topic: source.topic, part: 'value' }])
    const found = registry.lookup(ref)
    if ('missing' in found) {
      missing.push(found.missing)
      continue
    }
    const resolved = found as ResolvedSchema
    const key = ref.kind === 'id' ? String(ref.id) : ref.guid
    const file = `${refKey(ref)}${EXTENSION[resolved.schemaType]}`
    writeFileSync(join(dir, file), resolved.schema)
    const references = resolved.references.map((reference) => {
      const name = referenceFile(reference)
      mkdirSync(dirname(join(dir, name)), { recursive: true })
      writeFileSync(join(dir, name), reference.schema)
      return name
    })
    index[key] = { file, references }
    schemas.push({ key, file, format: resolved.schemaType, parts: [...parts], references })
  }
  writeFileSync(join(dir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`)
  for (const reason of missing) onWarning(`not exported: ${reason}`)
  return { dir, schemas, missing }
}
