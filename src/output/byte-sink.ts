/**
 * Text written as UTF-8 piece by piece into one buffer: cheaper than joining the pieces into one
 * string and encoding that (the joined string must be flattened first). Its memory is its own,
 * so it can be transferred to another thread.
 */
export class ByteSink {
  private buffer: Buffer
  private length = 0

  constructor(capacity: number) {
    // Not from Buffer's shared pool: the memory may be transferred to another thread.
    this.buffer = Buffer.allocUnsafeSlow(Math.max(capacity, 1 << 12))
  }

  add(text: string): void {
    // A UTF-16 code unit takes at most 3 bytes of UTF-8.
    if (this.length + text.length * 3 > this.buffer.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.length + text.length * 3))
      this.buffer.copy(grown, 0, 0, this.length)
      this.buffer = grown
    }
    this.length += this.buffer.write(text, this.length)
  }

  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length)
  }
}
