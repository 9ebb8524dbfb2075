/**
 * Decoded values as JSON that keeps their meaning (the README states this form):
 * - 64-bit integers: a JSON number while exact (|n| <= 2^53 - 1), else a string of their digits;
 * - bytes: base64; NaN and the infinities: the strings "NaN", "Infinity", "-Infinity";
 * - everything else as it is; logical types are already text (decimal, timestamps) by then.
 */
export function integerJson(value: bigint): number | string {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value.toString()
}

interface LongLike {
  low: number
  high: number
  unsigned: boolean
}

const isLong = (value: object): value is LongLike =>
  typeof (value as LongLike).low === 'number' && typeof (value as LongLike).high === 'number' && typeof (value as LongLike).unsigned === 'boolean' && Object.keys(value).length === 3

export function longValue(long: LongLike): bigint {
  const value = (BigInt(long.high >>> 0) << 32n) | BigInt(long.low >>> 0)
  return long.unsigned ? value : BigInt.asIntN(64, value)
}

export function jsonForm(value: unknown): unknown {
  switch (typeof value) {
    case 'bigint':
      return integerJson(value)
    case 'number':
      return Number.isFinite(value) ? value : String(value)
    case 'object': {
      if (value === null) return null
      if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')
      if (Array.isArray(value)) return value.map(jsonForm)
      if (isLong(value)) return integerJson(longValue(value))
      const out: Record<string, unknown> = {}
      for (const key of Object.keys(value)) out[key] = jsonForm((value as Record<string, unknown>)[key])
      return out
    }
    default:
      return value
  }
}
