/**
 * Positions beyond 2^53 (a store that numbers events from a Snowflake id or a 64-bit counter) lose
 * digits as JavaScript numbers. Such a position is read as its exact decimal text and bound to
 * SQLite as a BigInt; positions that fit stay plain numbers, as they always were.
 */

export type ExactPosition = number | bigint

/** A position to compare or bind: a number when it is exact as one, else a BigInt. */
export function exactPosition(value: number | string | bigint): ExactPosition {
  if (typeof value === 'number') return value
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value
  if (/^-?\d+$/.test(value.trim())) {
    const number = Number(value)
    return Number.isSafeInteger(number) ? number : BigInt(value.trim())
  }
  return Number(value)
}

/** The position after `p`. */
export function nextPosition(p: ExactPosition): ExactPosition {
  return typeof p === 'bigint' ? exactPosition(p + 1n) : Number.isSafeInteger(p + 1) ? p + 1 : exactPosition(BigInt(p) + 1n)
}

export function maxPosition(a: ExactPosition, b: ExactPosition): ExactPosition {
  return a >= b ? a : b
}

/** A position as an event carries it: the number, or the exact text beyond 2^53. */
export function eventPosition(p: ExactPosition): number | string {
  return typeof p === 'bigint' ? p.toString() : p
}

const SAFE = '9007199254740991'

/** SQL for `expr` as rewind reads a position: integers beyond 2^53 as their text. */
export function exactPositionSql(expr: string): string {
  return `CASE WHEN typeof(${expr}) = 'integer' AND (${expr} > ${SAFE} OR ${expr} < -${SAFE}) THEN CAST(${expr} AS TEXT) ELSE ${expr} END`
}
