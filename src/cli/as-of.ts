import { eventPosition, exactPosition } from '../events/position.js'
import { parseTimeSpecText } from '../events/time.js'
import { UserError } from '../errors.js'

/** --at / --version / --position, validated once for state and replay. */
export interface AsOfFlags {
  at?: string
  version?: number
  position?: string
}

export interface AsOf {
  at?: string
  version?: number
  position?: number | string
}

export function resolveAsOf(flags: AsOfFlags): AsOf {
  const given = (['at', 'version', 'position'] as const).filter((k) => flags[k] !== undefined)
  if (given.length > 1) throw new UserError(`--${given.join(' and --')} cannot be used together: pick one point to rebuild to`)
  const asOf: AsOf = {}
  if (flags.at !== undefined) asOf.at = parseTimeSpecText(flags.at, '--at')
  if (flags.version !== undefined) {
    if (!Number.isInteger(flags.version) || flags.version < 0) throw new UserError(`--version ${flags.version}: expected a whole number >= 0`)
    asOf.version = flags.version
  }
  if (flags.position !== undefined) {
    if (!/^\d+$/.test(flags.position)) throw new UserError(`--position "${flags.position}": expected a global position (a whole number)`)
    asOf.position = eventPosition(exactPosition(flags.position))
  }
  return asOf
}
