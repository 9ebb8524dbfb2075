import { rowKey, type AssessedRow, type LagMeasurement, type LagRow } from './report.js'
import { thresholdStatus, watchStatus, type LagSample, type Thresholds } from './status.js'

/** One-shot: the status by thresholds alone. */
export function assessOnce(measurement: LagMeasurement, thresholds: Thresholds): AssessedRow[] {
  return measurement.rows.map((row) => ({ ...row, ...thresholdStatus(row, thresholds) }))
}

function sampleOf(row: LagRow, at: number): LagSample {
  const updated = row.updated === null ? undefined : Date.parse(row.updated)
  return {
    at,
    position: row.position,
    lagEvents: row.lagEvents,
    lagSeconds: row.lagSeconds,
    updatedAt: updated === undefined || Number.isNaN(updated) ? undefined : updated,
    active: row.active,
  }
}

/**
 * Keeps each row's recent samples and assesses them. Memory stays bounded: samples older than
 * the window are dropped, except the first sample at the current checkpoint position, which
 * remembers since when the checkpoint has not moved.
 */
export class LagWatcher {
  private readonly history = new Map<string, LagSample[]>()

  constructor(private readonly options: { windowMs: number; thresholds: Thresholds }) {}

  add(measurement: LagMeasurement): AssessedRow[] {
    const seen = new Set<string>()
    const rows = measurement.rows.map((row) => {
      const key = rowKey(row)
      seen.add(key)
      const history = this.trim([...(this.history.get(key) ?? []), sampleOf(row, measurement.at)])
      this.history.set(key, history)
      return { ...row, ...watchStatus(history, this.options) }
    })
    for (const key of this.history.keys()) if (!seen.has(key)) this.history.delete(key)
    return rows
  }

  private trim(history: LagSample[]): LagSample[] {
    const end = history[history.length - 1]
    const windowStart = history.findIndex((s) => s.at >= end.at - this.options.windowMs)
    if (windowStart <= 0) return history
    let runStart = history.length - 1
    while (runStart > 0 && history[runStart - 1].position === end.position) runStart--
    if (runStart >= windowStart) return history.slice(windowStart)
    return [history[runStart], ...history.slice(windowStart)]
  }
}

export interface WatchLoopOptions {
  intervalMs: number
  signal: AbortSignal
  /** Undefined: this measurement failed and was reported; try again next interval. */
  measure: () => Promise<LagMeasurement | undefined>
  onSample: (measurement: LagMeasurement) => void | Promise<void>
}

/** Measures every interval until the signal aborts (Ctrl-C). The first measurement is immediate. */
export async function watchLoop(options: WatchLoopOptions): Promise<void> {
  const { signal } = options
  while (!signal.aborted) {
    const started = Date.now()
    const measurement = await options.measure()
    if (signal.aborted) return
    if (measurement !== undefined) await options.onSample(measurement)
    const wait = Math.max(0, options.intervalMs - (Date.now() - started))
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, wait)
      function done() {
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        resolve()
      }
      signal.addEventListener('abort', done, { once: true })
    })
  }
}
