import type { ByteOutput } from './spool.js'

/** Whether an OutputWriter has put anything on stdout: a --json error then cannot be a document of its own. */
export const stdoutBegun = { value: false }

/**
 * Buffered stdout that respects back-pressure: `rewind tail | jq` on a million events must not
 * queue them all in memory. A closed pipe (`| head`) ends the process quietly (see bin/run.js).
 */
export class OutputWriter {
  private buffer = ''

  constructor(private readonly stream: ByteOutput = process.stdout, private readonly limit = 1 << 16) {}

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
    if (bytes.length > 0 && this.stream === process.stdout) stdoutBegun.value = true
    if (bytes.length > 0 && !this.stream.write(bytes)) await new Promise<void>((resolve) => this.stream.once('drain', resolve))
  }

  async flush(): Promise<void> {
    if (this.buffer === '') return
    const chunk = this.buffer
    this.buffer = ''
    if (this.stream === process.stdout) stdoutBegun.value = true
    if (!this.stream.write(chunk)) await new Promise<void>((resolve) => this.stream.once('drain', resolve))
  }
}
