import { thousands } from './numbers.js'

/** A one-line progress bar on stderr, drawn only on a terminal and at most 10 times a second. */
export class Progress {
  private lastDraw = 0
  private drawn = false
  private readonly enabled: boolean

  constructor(private readonly label: string, private readonly total: number | undefined, private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = stream.isTTY === true && !process.env.CI
  }

  update(done: number): void {
    if (!this.enabled) return
    const now = Date.now()
    if (now - this.lastDraw < 100) return
    this.lastDraw = now
    const width = 30
    let text: string
    if (this.total !== undefined && this.total > 0) {
      const ratio = Math.min(1, done / this.total)
      const filled = Math.round(ratio * width)
      text = `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${thousands(done)}/${thousands(this.total)} (${Math.floor(ratio * 100)}%)`
    } else text = `${this.label} ${thousands(done)}`
    this.stream.write(`\r${text}\u001b[K`)
    this.drawn = true
  }

  done(): void {
    if (this.drawn) this.stream.write('\r\u001b[K')
    this.drawn = false
  }
}
