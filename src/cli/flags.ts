import { Args, Flags } from '@oclif/core'
import type { ColumnMapping } from '../sources/sqlite/layout.js'

/**
 * For a flag that may be given more than once: one value each time, so that it works before the
 * arguments too (`tail --type X bank.db`, as in git and kcat). oclif's default takes every word
 * up to the next flag, the source included.
 */
export const repeatable = { multiple: true, multipleNonGreedy: true } as const

/** Column mapping for SQLite stores that no preset recognises. */
export const mappingFlags = {
  table: Flags.string({ description: 'Events table (when no preset recognises the store)', helpGroup: 'MAPPING' }),
  'stream-column': Flags.string({ description: 'Column holding the stream / aggregate id', helpGroup: 'MAPPING' }),
  'type-column': Flags.string({ description: 'Column holding the event type', helpGroup: 'MAPPING' }),
  'data-column': Flags.string({ description: 'Column holding the event data (JSON text or blob)', helpGroup: 'MAPPING' }),
  'time-column': Flags.string({ description: 'Column holding the event time', helpGroup: 'MAPPING' }),
  'position-column': Flags.string({ description: 'Integer column giving global order (default: rowid)', helpGroup: 'MAPPING' }),
  'version-column': Flags.string({ description: 'Column holding the position within the stream', helpGroup: 'MAPPING' }),
  'metadata-column': Flags.string({ description: 'Column holding metadata JSON', helpGroup: 'MAPPING' }),
  'schema-version-column': Flags.string({ description: 'Column holding the event schema version', helpGroup: 'MAPPING' }),
}

export function mappingFrom(flags: Record<string, unknown>): Partial<ColumnMapping> {
  const pick = (name: string) => (flags[name] as string | undefined) ?? undefined
  return {
    table: pick('table'),
    stream: pick('stream-column'),
    type: pick('type-column'),
    data: pick('data-column'),
    time: pick('time-column'),
    position: pick('position-column'),
    version: pick('version-column'),
    metadata: pick('metadata-column'),
    schemaVersion: pick('schema-version-column'),
  }
}

export const reducerFlag = Flags.string({
  description: 'Reducer module (.ts, .mts, .js, .mjs; loaded without a build step). Default: merge each event\'s data into the state',
})

export const upcastersFlag = Flags.string({ description: 'Upcaster module: events are lifted to their latest schema before folding' })

export const skipInvalidFlag = Flags.boolean({ description: 'Skip rows whose JSON does not parse, with a counted warning' })

/** NDJSON sources: the longest line accepted (a line without end fails after this many bytes). */
export const fileFlags = {
  'max-line-bytes': Flags.string({ description: 'NDJSON: the longest line read, e.g. 256MiB (default 64MiB; at most 512MiB)', helpGroup: 'FILE' }),
}

/** Kafka connection and decoding; each also comes from KAFKA_* env vars or the config file's "kafka". */
export const kafkaFlags = {
  brokers: Flags.string({ description: 'Kafka bootstrap servers HOST:PORT[,HOST:PORT] (else the URI, KAFKA_BROKERS or config "kafka.brokers")', helpGroup: 'KAFKA' }),
  'sasl-mechanism': Flags.string({ description: 'SASL mechanism (env KAFKA_SASL_MECHANISM)', options: ['plain', 'scram-sha-256', 'scram-sha-512'], helpGroup: 'KAFKA' }),
  'sasl-username': Flags.string({ description: 'SASL user name (env KAFKA_SASL_USERNAME)', helpGroup: 'KAFKA' }),
  'sasl-password': Flags.string({ description: 'SASL password; prefer env KAFKA_SASL_PASSWORD (never printed)', helpGroup: 'KAFKA' }),
  tls: Flags.boolean({ description: 'Connect with TLS (env KAFKA_TLS=1)', helpGroup: 'KAFKA' }),
  'tls-ca': Flags.string({ description: 'PEM file of the CA that signed the brokers\' certificates (env KAFKA_TLS_CA)', helpGroup: 'KAFKA' }),
  'tls-cert': Flags.string({ description: 'PEM client certificate for mutual TLS (env KAFKA_TLS_CERT)', helpGroup: 'KAFKA' }),
  'tls-key': Flags.string({ description: 'PEM client key for mutual TLS (env KAFKA_TLS_KEY)', helpGroup: 'KAFKA' }),
  'tls-insecure': Flags.boolean({ description: 'Do not verify the brokers\' certificates (env KAFKA_TLS_INSECURE=1)', helpGroup: 'KAFKA' }),
  timeout: Flags.string({ description: 'Give up reaching Kafka after this long: "10s", "500ms", or seconds (default 10s; env KAFKA_TIMEOUT)', helpGroup: 'KAFKA' }),
  'stream-path': Flags.string({ description: 'Where the stream id is in a Kafka event, e.g. data.accountId (default: the message key)', helpGroup: 'KAFKA' }),
}

/** The SOURCE argument every reading command takes. */
export const sourceArg = Args.string({ description: 'SQLite file, NDJSON file (- or a pipe: read as it comes), kafka://HOST:PORT/TOPIC or @name', required: true })
