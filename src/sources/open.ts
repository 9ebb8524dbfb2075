import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs'
import type { RewindConfig, SourceConfig } from '../config.js'
import { UserError } from '../errors.js'
import { FileSource, isStreamInput } from './file-source.js'
import { redactUri } from './redact-uri.js'
import type { EventSource } from './source.js'
import type { ColumnMapping } from './sqlite/layout.js'
import { SqliteSource } from './sqlite/sqlite-source.js'

export interface OpenOptions {
  config?: RewindConfig
  mapping?: Partial<ColumnMapping>
  /** Kafka connection flags (brokers, SASL, TLS, timeout); interpreted by the Kafka source. */
  kafka?: Record<string, unknown>
  /** NDJSON: the longest line read (--max-line-bytes). */
  maxLineBytes?: number
}

/** What opens a source again (another thread does): SOURCE as given and the options it was opened with. */
export interface SourceRecipe {
  spec: string
  options: OpenOptions
}

export const SOURCE_FORMS =
  'a SQLite file (.db, .sqlite, .sqlite3 or sqlite:PATH), an NDJSON/JSON file (.ndjson, .jsonl, .json or file:PATH), - or a pipe (NDJSON on standard input or <(...)), kafka://HOST:PORT/TOPIC, or @name from the config file'

/** Resolves @name from the config file to its source entry. */
export function resolveSourceSpec(spec: string, config?: RewindConfig): SourceConfig {
  if (!spec.startsWith('@')) return { uri: spec }
  const name = spec.slice(1)
  const entry = config?.sources[name]
  if (entry === undefined) {
    const known = Object.keys(config?.sources ?? {})
    const where = config?.file === undefined ? 'no config file was found' : `${config.file} defines ${known.length > 0 ? known.map((k) => `@${k}`).join(', ') : 'no sources'}`
    throw new UserError(`unknown source ${spec}: ${where}`)
  }
  return entry
}

function looksLikeSqlite(file: string): boolean {
  if (!existsSync(file) || statSync(file).isDirectory()) return false
  const header = Buffer.alloc(16)
  const fd = openSync(file, 'r')
  try {
    readSync(fd, header, 0, 16, 0)
  } finally {
    closeSync(fd)
  }
  return header.toString('latin1') === 'SQLite format 3\u0000'
}

export function sourceKind(uri: string): 'sqlite' | 'file' | 'kafka' | undefined {
  if (uri.startsWith('kafka://')) return 'kafka'
  if (uri.startsWith('sqlite:') || /\.(db|sqlite3?)$/i.test(uri)) return 'sqlite'
  if (uri.startsWith('file:') || /\.(ndjson|jsonl|json)$/i.test(uri)) return 'file'
  // `-`, a pipe, FIFO or device: NDJSON as it comes (SQLite needs a file it can seek in, and
  // sniffing a header would eat the first bytes of a pipe).
  if (isStreamInput(uri)) return 'file'
  // `rewind tail /dev/stdin < events.ndjson`: a name without an extension, for a regular file.
  if (/^\/(dev|proc\/self)\/(stdin|fd\/\d+)$/.test(uri)) return looksLikeSqlite(uri) ? 'sqlite' : 'file'
  return looksLikeSqlite(uri) ? 'sqlite' : undefined
}

/** SOURCE argument to an EventSource. Kafka's client is imported only when asked for. */
export async function openSource(spec: string, options: OpenOptions = {}): Promise<EventSource> {
  const entry = resolveSourceSpec(spec, options.config)
  const uri = entry.uri
  const mapping = { ...options.config?.mapping, ...entry.mapping, ...options.mapping }
  switch (sourceKind(uri)) {
    case 'kafka': {
      const { openKafkaSource } = await import('./kafka/kafka-source.js')
      return openKafkaSource(uri, { config: options.config, flags: options.kafka ?? {} })
    }
    case 'sqlite':
      return new SqliteSource(uri.replace(/^sqlite:/, ''), mapping)
    case 'file':
      return new FileSource(uri.replace(/^file:/, ''), options.maxLineBytes)
    default:
      if (!existsSync(uri)) throw new UserError(`${redactUri(uri)}: no such file; SOURCE is ${SOURCE_FORMS}`)
      throw new UserError(`${redactUri(uri)}: cannot tell what kind of source this is; SOURCE is ${SOURCE_FORMS}`)
  }
}
