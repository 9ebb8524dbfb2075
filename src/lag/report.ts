import type { LagStatus, Trend } from './status.js'

/** One measured row: a projection checkpoint (SQLite) or a group's partition (Kafka). */
export interface LagRow {
  /** Projection / checkpoint name, or the consumer group. */
  name: string
  /** SQLite: the checkpoint table. */
  table?: string
  /** Kafka: topic and partition. */
  topic?: string
  partition?: number
  /** The checkpoint (committed offset); null when there is none. */
  position: number | null
  /** The head position (log-end offset). */
  head: number | null
  lagEvents: number | null
  lagSeconds: number | null
  /** When the checkpoint was last written, when the store records it (ISO-8601). */
  updated: string | null
  /** Kafka: the member holding the partition, its client id and host, as kafka-consumer-groups prints them. */
  member?: string
  client?: string
  host?: string
  /** Kafka: whether the group has an active member. */
  active?: boolean
}

export interface LagMeasurement {
  head: { position: number | null; time: string | null }
  rows: LagRow[]
  /** When measured, ms since the epoch. */
  at: number
}

/** A row with its status (and, while watching, its trend). */
export interface AssessedRow extends LagRow {
  status: LagStatus
  reason: string
  trend?: Trend
}

/** `lag --json` (DESIGN.md): {head, projections: [{name, position, lagEvents, lagSeconds, status, ...}]}. */
export interface LagJson {
  head: { position: number | null; time: string | null }
  projections: Array<Record<string, unknown>>
}

/** Stable key of a row across samples. */
export const rowKey = (row: LagRow): string => [row.table ?? '', row.name, row.topic ?? '', row.partition ?? ''].join('\u0000')

export function lagJson(measurement: LagMeasurement, rows: AssessedRow[]): LagJson {
  return {
    head: measurement.head,
    projections: rows.map((r) => {
      const out: Record<string, unknown> = { name: r.name }
      if (r.table !== undefined) out.table = r.table
      if (r.topic !== undefined) out.topic = r.topic
      if (r.partition !== undefined) out.partition = r.partition
      Object.assign(out, { position: r.position, head: r.head, lagEvents: r.lagEvents, lagSeconds: r.lagSeconds })
      if (r.table !== undefined) out.updated = r.updated
      if (r.topic !== undefined) {
        out.member = r.member ?? null
        out.client = r.client ?? null
        out.host = r.host ?? null
      }
      out.status = r.status
      out.reason = r.reason
      if (r.trend !== undefined) {
        out.rate = r.trend.rate ?? null
        out.etaSeconds = r.trend.etaSeconds ?? null
      }
      return out
    }),
  }
}
