import type { ByteOutput } from './spool.js'
import { forTerminal, type OutputKind } from './terminal.js'

/** Whether an OutputWriter has put anything on stdout: a --json error then cannot be a document of its own. */
export const stdoutBegun = { value: false }

/**
 * Buffered stdout that respects back-pressure: `rewind tail | jq` on a million events must not
 * queue them all in memory. A closed pipe (`| head`) ends the process quietly (see bin/run.js).
 * Every chunk passes the terminal guard for its kind (src/output/terminal.ts): one regular
 * expression test per 64 KiB chunk, so the NDJSON fast paths keep their speed.
 */
export class OutputWriter {
  private buffer = ''
  private readonly guarded: boolean
  private readonly tty: boolean

  /** `tty`: whether the bytes end on a terminal (a spooled --json document goes to stdout at the end). */
  constructor(
    private readonly kind: OutputKind = 'text',
    private readonly stream: ByteOutput = process.stdout,
    options: { tty?: boolean; limit?: number } = {},
  ) {
    this.tty = options.tty ?? (stream as { isTTY?: boolean }).isTTY === true
    this.limit = options.limit ?? 1 << 16
    // JSON to a pipe or file is written as it is; only text, and JSON for a terminal, are rewritten.
    this.guarded = kind === 'text' || this.tty
  }

  private readonly limit: number

  async write(text: string): Promise<void> {
    this.buffer += text
    if (this.buffer.length >= this.limit) await this.flush()
  }

  async line(text: string): Promise<void> {
    return this.write(`${text}\n`)
  }

  /** Bytes that are already UTF-8 (text rendered in a worker thread), after what is buffered. */
  async writeBytes(bytes: Uint8Array): Promise<void> {
    await this.flush()
    if (bytes.length === 0) return
    if (this.guarded) return this.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')).then(() => this.flush())
    if (this.stream === process.stdout) stdoutBegun.value = true
    if (!this.stream.write(bytes)) await new Promise<void>((resolve) => this.stream.once('drain', resolve))
  }

  async flush(): Promise<void> {
    if (this.buffer === '') return
    const chunk = this.guarded ? forTerminal(this.kind, this.buffer, this.tty) : this.buffer
    this.buffer = ''
    if (this.stream === process.stdout) stdoutBegun.value = true
    if (!this.stream.write(chunk)) await new Promise<void>((resolve) => this.stream.once('drain', resolve))
  }
}
