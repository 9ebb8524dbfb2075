/**
 * Schemas from a directory (`--schemas DIR`), for a topic debugged without its registry:
 * `.avsc` (Avro), `.proto` (Protobuf), `.json` (JSON Schema) files, found
 * - by id or GUID in DIR/index.json: `{"7": "orders-value.avsc", "8": {"file": "order.proto", "references": ["money.proto"]}}`;
 * - else by subject, as Confluent's TopicNameStrategy names it: `TOPIC-value.avsc`, `TOPIC-key.proto`...
 * A .proto file's imports are read from DIR too; an Avro schema's named types from other files
 * come from the index entry's "references".
 */
import { existsSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { UserError } from '../../../errors.js'
import { refText, type Part, type SchemaRef } from './framing.js'
import type { NamedSchema, ResolvedSchema, SchemaProvider, SchemaType } from './schema.js'

const EXTENSIONS: Array<[string, SchemaType]> = [['.avsc', 'AVRO'], ['.proto', 'PROTOBUF'], ['.json', 'JSON']]

interface IndexEntry {
  file: string
  references?: string[]
}

function typeOfFile(file: string): SchemaType | undefined {
  return EXTENSIONS.find(([ext]) => file.endsWith(ext))?.[1]
}

export class SchemaDirectory implements SchemaProvider {
  private readonly index = new Map<string, IndexEntry>()

  constructor(readonly dir: string) {
    if (!existsSync(dir)) throw new UserError(`--schemas ${dir}: no such directory`)
    const indexFile = join(dir, 'index.json')
    if (!existsSync(indexFile)) return
    let parsed: unknown
    try {
      parsed = JSON.parse(readFileSync(indexFile, 'utf8'))
    } catch (error) {
      throw new UserError(`${indexFile}: not valid JSON (${(error as Error).message}); expected {"ID or GUID": "FILE" or {"file": FILE, "references": [FILE...]}}`)
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UserError(`${indexFile}: expected an object {"ID or GUID": "FILE"}`)
    for (const [key, value] of Object.entries(parsed)) {
      const entry = typeof value === 'string' ? { file: value } : (value as IndexEntry)
      if (typeof entry?.file !== 'string' || typeOfFile(entry.file) === undefined) {
        throw new UserError(`${indexFile}: "${key}" should name a .avsc, .proto or .json file`)
      }
      this.index.set(key.toLowerCase(), entry)
    }
  }

  async load(): Promise<void> {}

  lookup(ref: SchemaRef, topic: string, part: Part): ResolvedSchema | { missing: string } {
    const entry = this.index.get(ref.kind === 'id' ? String(ref.id) : ref.guid.toLowerCase())
    try {
      if (entry !== undefined) return this.read(entry.file, entry.references ?? [])
      for (const [ext] of EXTENSIONS) {
        const file = `${topic}-${part}${ext}`
        if (existsSync(join(this.dir, file))) return this.read(file, [])
      }
    } catch (error) {
      return { missing: `${refText(ref)}: ${(error as Error).message}` }
    }
    return { missing: `${refText(ref)} is neither in ${join(this.dir, 'index.json')} nor in a file ${topic}-${part}.avsc/.proto/.json there` }
  }

  private text(file: string): string {
    try {
      return readFileSync(join(this.dir, file), 'utf8')
    } catch (error) {
      throw new Error(`cannot read ${join(this.dir, file)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
    }
  }

  private read(file: string, referenceFiles: string[]): ResolvedSchema {
    const schemaType = typeOfFile(file)!
    const schema = this.text(file)
    const references: NamedSchema[] = []
    const seen = new Set<string>([file])
    const add = (name: string) => {
      if (seen.has(name)) return
      seen.add(name)
      const text = this.text(name)
      if (name.endsWith('.proto')) for (const imported of protoImports(text)) if (existsSync(join(this.dir, imported))) add(imported)
      references.push({ name, schemaType: typeOfFile(name) ?? schemaType, schema: text })
    }
    for (const name of referenceFiles) add(name)
    if (schemaType === 'PROTOBUF') for (const imported of protoImports(schema)) if (existsSync(join(this.dir, imported))) add(imported)
    return { schemaType, schema, references, origin: relative(process.cwd(), join(this.dir, file)) || file }
  }
}

export function protoImports(text: string): string[] {
  return [...text.matchAll(/^\s*import\s+(?:public\s+|weak\s+)?"([^"]+)"\s*;/gm)].map((m) => m[1])
}
