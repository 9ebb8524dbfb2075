import { once } from 'node:events'
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** What OutputWriter writes to: process.stdout, or a Spool. */
export interface ByteOutput {
  write(chunk: string | Uint8Array): boolean
  once(event: 'drain', listener: () => void): unknown
}

/**
 * A `--json` document held back until it is whole: printed by `copyTo` once it is, dropped by
 * `discard` when the command fails, so that stdout gets the whole document or only
 * `{"error": ...}`, never a fragment. The first 8 MiB stay in memory, the rest goes to a
 * temporary file: memory does not grow with the number of events.
 */
export class Spool implements ByteOutput {
  private chunks: (string | Uint8Array)[] = []
  private held = 0
  private dir?: string
  private fd?: number

  constructor(private readonly memoryLimit = 8 << 20) {}

  write(chunk: string | Uint8Array): boolean {
    if (this.fd === undefined && this.held + chunk.length <= this.memoryLimit) {
      this.chunks.push(chunk)
      this.held += chunk.length
      return true
    }
    if (this.fd === undefined) {
      this.dir = mkdtempSync(join(tmpdir(), 'rewind-json-'))
      this.fd = openSync(join(this.dir, 'document.json'), 'w', 0o600)
      process.once('exit', this.discard)
    }
    if (typeof chunk === 'string') writeSync(this.fd, chunk)
    else writeSync(this.fd, chunk)
    return true
  }

  once(_event: 'drain', listener: () => void): this {
    listener()
    return this
  }

  /** Writes what was held to `out`, in order, and forgets it. */
  async copyTo(out: NodeJS.WritableStream): Promise<void> {
    const put = async (chunk: string | Uint8Array) => {
      if (!out.write(chunk)) await once(out, 'drain')
    }
    for (const chunk of this.chunks) await put(chunk)
    this.chunks = []
    if (this.fd !== undefined && this.dir !== undefined) {
      closeSync(this.fd)
      this.fd = undefined
      for await (const chunk of createReadStream(join(this.dir, 'document.json'))) await put(chunk as Buffer)
    }
    this.discard()
  }

  /** Drops what was held (and the temporary file). */
  readonly discard = (): void => {
    this.chunks = []
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
    if (this.dir !== undefined) rmSync(this.dir, { recursive: true, force: true })
    this.dir = undefined
    process.removeListener('exit', this.discard)
  }
}
