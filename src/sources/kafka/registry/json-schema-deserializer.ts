/** JSON Schema payloads: the bytes are JSON text; the schema only names the event (its "title"). Not validated. */
import type { Framed } from './framing.js'
import type { CompiledSchema, Deserializer } from './deserializer.js'
import type { ResolvedSchema } from './schema.js'

export class JsonSchemaDeserializer implements Deserializer {
  readonly schemaType = 'JSON' as const

  compile(resolved: ResolvedSchema): CompiledSchema {
    const schema = JSON.parse(resolved.schema) as { title?: unknown }
    return {
      name: typeof schema?.title === 'string' ? schema.title : undefined,
      decode(framed: Framed) {
        const text = framed.payload.toString('utf8')
        if (Buffer.byteLength(text) !== framed.payload.length) throw new Error('the payload is not UTF-8')
        return { value: JSON.parse(text) as unknown }
      },
    }
  }
}
