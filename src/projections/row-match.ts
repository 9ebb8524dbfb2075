import type { ColumnPlan, ColumnTarget } from './columns.js'
import { fieldDrifts, prepareCell, sameCell, sameValue, type FieldDrift, type PreparedCell } from './compare-values.js'

/** A stream's fold at one point: its state, the version and time of the last event folded. */
export interface FoldPoint {
  state: unknown
  version: number
  time: string
}

export function valueAt(target: ColumnTarget, point: FoldPoint): unknown {
  if (target.kind === 'version') return point.version
  if (target.kind === 'time') return point.time === '' ? undefined : point.time
  let value: unknown = point.state
  for (const part of target.path) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<string, unknown>)[part]
  }
  return value
}

/** Every compared column of a row that differs from the fold point, field by field. */
export function rowDrifts(plan: ColumnPlan, row: unknown[], point: FoldPoint, tolerance: number): FieldDrift[] {
  const drifts: FieldDrift[] = []
  for (const c of plan.compared) {
    const replay = valueAt(c.target, point)
    if (sameValue(row[c.index], replay, tolerance)) continue
    drifts.push(...fieldDrifts(c.column, row[c.index], replay, tolerance))
  }
  return drifts
}

/** A row prepared for the explanation search, which compares it with many fold points. */
export function rowMatcher(plan: ColumnPlan, row: unknown[], tolerance: number): (point: FoldPoint) => boolean {
  const cells: Array<[ColumnTarget, PreparedCell]> = plan.compared.map((c) => [c.target, prepareCell(row[c.index])])
  return (point) => cells.every(([target, cell]) => sameCell(cell, valueAt(target, point), tolerance))
}
