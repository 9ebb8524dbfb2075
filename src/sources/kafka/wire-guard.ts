/**
 * kafkajs trusts the size at the head of each response: a negative or tiny one throws inside its
 * socket handler (an uncaught exception: a stack trace and exit 1), and a huge one (an HTTP or
 * TLS answer read as a size) waits for bytes that never come. The guard checks each response's
 * size before kafkajs reads it and turns a bad one into a connection error naming the broker;
 * it also remembers a response that stopped halfway, for the timeout message.
 */
import { createRequire } from 'node:module'
import { brokerLabel } from './ipv6-brokers.js'

const require = createRequire(import.meta.url)

/** Far above any answer to rewind's requests (fetches ask for 4 MiB), far below "HTTP" read as a size. */
export const MAX_RESPONSE_BYTES = 256 << 20

interface ConnectionInternals {
  host: string
  port: number
  chunks: Buffer[]
  bytesBuffered: number
  bytesNeeded: number
  authHandlers?: unknown
  authExpectResponse?: boolean
  rejectRequests(error: Error): void
  disconnect(): Promise<unknown>
}

type ProcessData = (this: ConnectionInternals, data: Buffer) => void

const WIRE_PROBLEM = Symbol('rewind.wireProblem')
const stalls = new Map<string, { got: number; of: number }>()
let lastProblem: string | undefined
let installed = false

/** What is wrong with the responses buffered in `chunks` (each starts with its size); undefined when nothing is yet. */
export function frameProblem(chunks: Buffer[]): string | undefined {
  const total = chunks.reduce((n, c) => n + c.length, 0)
  const byteAt = (at: number): number => {
    for (const chunk of chunks) {
      if (at < chunk.length) return chunk[at]
      at -= chunk.length
    }
    return 0
  }
  for (let offset = 0; offset + 4 <= total;) {
    const size = ((byteAt(offset) << 24) | (byteAt(offset + 1) << 16) | (byteAt(offset + 2) << 8) | byteAt(offset + 3)) | 0
    if (size >= 4 && size <= MAX_RESPONSE_BYTES) {
      offset += 4 + size
      continue
    }
    const head = Array.from({ length: Math.min(16, total - offset) }, (_, i) => byteAt(offset + i))
    const what = size < 4 ? `a response size of ${size} bytes (at least 4 expected)` : `a response size of ${size} bytes (over the ${MAX_RESPONSE_BYTES >> 20} MiB limit)`
    const hint = (head[0] === 0x15 || head[0] === 0x16) && head[1] === 0x03 ? 'it looks like TLS: add --tls' : 'is that address a Kafka listener?'
    return `${what}, beginning ${visibleBytes(head)}; ${hint}`
  }
  return undefined
}

/** Bytes as printable ASCII in quotes, anything else as \xNN: never raw to a terminal. */
export function visibleBytes(bytes: number[]): string {
  const text = bytes.map((b) => (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('')
  return `"${text}"`
}

/** Installs the guard on kafkajs' Connection class, once. */
export function guardKafkaWire(): void {
  if (installed) return
  installed = true
  const Connection = require('kafkajs/src/network/connection.js') as { prototype: { processData: ProcessData } }
  const { KafkaJSConnectionError } = require('kafkajs/src/errors.js') as { KafkaJSConnectionError: new (message: string, options: { broker: string }) => Error }
  const original = Connection.prototype.processData
  Connection.prototype.processData = function (this: ConnectionInternals, data: Buffer) {
    // SASL's raw handshake bytes have no size in front.
    if (this.authHandlers !== undefined && this.authHandlers !== null && this.authExpectResponse !== true) return original.call(this, data)
    const broker = brokerLabel(this.host, this.port)
    const problem = frameProblem([...this.chunks, data])
    if (problem !== undefined) {
      this.chunks = []
      this.bytesBuffered = 0
      this.bytesNeeded = 4
      stalls.delete(broker)
      lastProblem = `${broker} does not answer in the Kafka protocol: ${problem}`
      const error = new KafkaJSConnectionError(lastProblem, { broker })
      Object.defineProperty(error, WIRE_PROBLEM, { value: true })
      this.rejectRequests(error)
      void this.disconnect().catch(() => {})
      return
    }
    original.call(this, data)
    if (this.bytesNeeded > 4) stalls.set(broker, { got: this.bytesBuffered, of: this.bytesNeeded })
    else stalls.delete(broker)
  }
}

/** The guard's message when `error` (or an error it was caused by) is one of its own. */
export function wireProblemOf(error: unknown): string | undefined {
  for (let e = error as { cause?: unknown; message?: string } | undefined, depth = 0; e !== undefined && e !== null && depth < 8; e = e.cause as typeof e, depth++) {
    if ((e as Record<symbol, unknown>)[WIRE_PROBLEM] === true) return e.message
  }
  return undefined
}

/** The last bad response the guard saw, if any (for a timeout that came while kafkajs retried). */
export function lastWireProblem(): string | undefined {
  return lastProblem
}

/** Responses that began to arrive and stopped, as text for a timeout message ('' when none). */
export function stalledResponses(): string {
  return [...stalls]
    .map(([broker, { got, of }]) => `${broker} had sent ${got} of the ${of} bytes of a response`)
    .join('; ')
}
