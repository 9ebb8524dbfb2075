/**
 * Protobuf payloads, decoded with protobufjs. The schema is .proto text (what a Confluent registry
 * answers) or a base64 FileDescriptorProto (what Confluent's own serializers register). The
 * message-index array (framing.ts) picks the message: [0] the file's first message, [1, 2] the
 * third type nested in the second, counted as the descriptor's nested_type counts them (map
 * entries included, see proto-order.ts).
 * JSON form: fields by their .proto names, proto3 defaults included, enums by name, bytes base64,
 * 64-bit integers as json-form.ts says, google.protobuf.Timestamp as ISO 8601.
 */
import protobuf from 'protobufjs'
import descriptorModule from 'protobufjs/ext/descriptor/index.js'
import { readMessageIndexes, type Framed } from './framing.js'
import type { CompiledSchema, Deserializer } from './deserializer.js'
import { jsonForm, longValue } from './json-form.js'
import { nestedOrder, type NestedEntry } from './proto-order.js'
import type { NamedSchema, ResolvedSchema } from './schema.js'

/** A message and its nested messages, in declaration order: the tree the indexes walk. */
interface MessageTree {
  name: string
  nested: MessageTree[]
}

// A CommonJS module whose exports the types declare as named ones.
const descriptor = descriptorModule as unknown as typeof import('protobufjs/ext/descriptor.js')

const TO_OBJECT: protobuf.IConversionOptions = { enums: String, bytes: String, defaults: true, arrays: true, objects: true }

let timestampsAsText = false

/** google.protobuf.Timestamp as ISO 8601 (proto3's JSON mapping), for every root. */
function registerTimestamp(): void {
  if (timestampsAsText) return
  timestampsAsText = true
  const wrappers = protobuf.wrappers as Record<string, protobuf.IWrapper>
  wrappers['.google.protobuf.Timestamp'] = {
    fromObject(this: protobuf.Type, object: Record<string, unknown>) {
      return this.fromObject(object)
    },
    toObject(this: protobuf.Type, message: protobuf.Message & { seconds?: unknown; nanos?: number }) {
      const raw = message.seconds
      const seconds = typeof raw === 'object' && raw !== null ? longValue(raw as { low: number; high: number; unsigned: boolean }) : BigInt((raw as number) ?? 0)
      const nanos = message.nanos ?? 0
      const ms = Number(seconds) * 1000
      if (!(Math.abs(ms) <= 8.64e15)) return { seconds: jsonForm(seconds), nanos }
      return `${new Date(ms).toISOString().slice(0, -5)}.${String(nanos).padStart(9, '0')}Z`
    },
  } as unknown as protobuf.IWrapper
}

const looksBase64 = (text: string) => /^[A-Za-z0-9+/=\s]+$/.test(text) && !/\b(syntax|message|package)\b/.test(text)

function treeOfDescriptors(prefix: string, messages: Array<{ name?: string; nestedType?: unknown[] }>): MessageTree[] {
  return messages.map((m) => {
    const name = `${prefix}${m.name ?? ''}`
    return { name, nested: treeOfDescriptors(`${name}.`, (m.nestedType ?? []) as typeof messages) }
  })
}

/** Top-level messages in protobufjs' order (the source's); nested ones as protoc orders them (proto-order.ts). */
function treeOfTypes(namespace: protobuf.NamespaceBase | null, order: Map<string, NestedEntry[]>): MessageTree[] {
  if (namespace === null) return []
  const nested = (name: string): MessageTree[] => (order.get(name) ?? []).map((entry) => ({ name: entry.name, nested: entry.mapEntry ? [] : nested(entry.name) }))
  return namespace.nestedArray.filter((t): t is protobuf.Type => t instanceof protobuf.Type).map((t) => {
    const name = t.fullName.replace(/^\./, '')
    return { name, nested: order.has(name) ? nested(name) : treeOfTypes(t, order) }
  })
}

function addCommonImports(root: protobuf.Root, text: string): void {
  for (const match of text.matchAll(/import\s+(?:public\s+|weak\s+)?"(google\/protobuf\/[^"]+)"/g)) {
    const common = protobuf.common.get(match[1])
    if (common?.nested !== undefined) root.addJSON(common.nested)
  }
}

/** A root with the file and its references, and the file's message tree. */
function fromText(resolved: ResolvedSchema): { root: protobuf.Root; tree: MessageTree[] } {
  const root = new protobuf.Root()
  const parseOptions = { keepCase: true }
  for (const reference of resolved.references) {
    addCommonImports(root, reference.schema)
    protobuf.parse(reference.schema, root, parseOptions)
  }
  addCommonImports(root, resolved.schema)
  const alone = protobuf.parse(resolved.schema, new protobuf.Root(), parseOptions)
  protobuf.parse(resolved.schema, root, parseOptions)
  root.resolveAll()
  const ns = alone.package === undefined ? alone.root : (alone.root.lookup(alone.package) as protobuf.Namespace | null)
  return { root, tree: treeOfTypes(ns, nestedOrder(resolved.schema, alone.package)) }
}

function fromDescriptors(resolved: ResolvedSchema): { root: protobuf.Root; tree: MessageTree[] } {
  const decode = (schema: NamedSchema | ResolvedSchema) => descriptor.FileDescriptorProto.decode(Buffer.from(schema.schema, 'base64')) as unknown as Record<string, unknown>
  const main = decode(resolved)
  const files = [...resolved.references.map(decode), main]
  const root = (protobuf.Root as unknown as { fromDescriptor(set: unknown): protobuf.Root }).fromDescriptor({ file: files })
  root.resolveAll()
  const prefix = typeof main.package === 'string' && main.package !== '' ? `${main.package}.` : ''
  return { root, tree: treeOfDescriptors(prefix, (main.messageType ?? []) as Array<{ name?: string }>) }
}

function messageAt(tree: MessageTree[], indexes: number[]): string {
  let level = tree
  let found: MessageTree | undefined
  for (const index of indexes) {
    found = level[index]
    if (found === undefined) throw new Error(`message index [${indexes.join(', ')}] names no message of the schema`)
    level = found.nested
  }
  return found!.name
}

export class ProtobufDeserializer implements Deserializer {
  readonly schemaType = 'PROTOBUF' as const

  compile(resolved: ResolvedSchema): CompiledSchema {
    registerTimestamp()
    const { root, tree } = looksBase64(resolved.schema) ? fromDescriptors(resolved) : fromText(resolved)
    if (tree.length === 0) throw new Error('the schema defines no message')
    const types = new Map<string, protobuf.Type>()
    const typeAt = (indexes: number[]) => {
      const name = messageAt(tree, indexes)
      let type = types.get(name)
      if (type === undefined) types.set(name, (type = root.lookupType(name)))
      return type
    }
    return {
      name: tree[0].name,
      decode(framed: Framed) {
        const source = framed.indexes === 'payload' ? framed.payload : framed.indexes
        // A header with the id alone: the first message.
        const { indexes, length } = source.length === 0 && framed.indexes !== 'payload' ? { indexes: [0], length: 0 } : readMessageIndexes(source)
        const payload = framed.indexes === 'payload' ? framed.payload.subarray(length) : framed.payload
        const type = typeAt(indexes)
        const message = type.decode(payload)
        return { name: type.fullName.replace(/^\./, ''), value: jsonForm(type.toObject(message, TO_OBJECT)) }
      },
    }
  }
}
