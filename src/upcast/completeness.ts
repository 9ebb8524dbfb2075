import { upcasterLabel, type Upcaster } from './chain.js'

export interface ChainProblem {
  kind: 'duplicate' | 'gap'
  type: string
  /** The version with two upcasters, or the version the chain stops at. */
  version: number
  upcasters: string[]
  message: string
}

export interface ChainShape {
  /** Upcasters to run: the first of each type+from (duplicates are reported, not run). */
  runnable: Upcaster[]
  /** The version each upcasted type should end at (highest `to`). */
  latest: Map<string, number>
  problems: ChainProblem[]
}

/**
 * What can be said about the chain from the module alone: two upcasters for one type+from, and
 * versions that an upcaster leads to but none lifts further (v1->v2 and v3->v4: v2 is a gap).
 */
export function analyzeChain(upcasters: Upcaster[]): ChainShape {
  const problems: ChainProblem[] = []
  const byKey = new Map<string, Upcaster>()
  const runnable: Upcaster[] = []
  for (const u of upcasters) {
    const key = `${u.type}\u0000${u.from}`
    const first = byKey.get(key)
    if (first !== undefined) {
      problems.push({
        kind: 'duplicate', type: u.type, version: u.from, upcasters: [upcasterLabel(first), upcasterLabel(u)],
        message: `two upcasters lift ${u.type} from v${u.from}: ${upcasterLabel(first)} and ${upcasterLabel(u)}`,
      })
      continue
    }
    byKey.set(key, u)
    runnable.push(u)
  }
  const latest = new Map<string, number>()
  for (const u of runnable) latest.set(u.type, Math.max(latest.get(u.type) ?? 0, u.to))
  const reported = new Set<string>()
  for (const u of runnable) {
    let version = u.to
    let via = u
    for (let next = byKey.get(`${u.type}\u0000${version}`); next !== undefined; next = byKey.get(`${u.type}\u0000${version}`)) {
      via = next
      version = next.to
    }
    const end = latest.get(u.type)!
    const key = `${u.type}\u0000${version}`
    if (version < end && !reported.has(key)) {
      reported.add(key)
      problems.push({
        kind: 'gap', type: u.type, version, upcasters: [upcasterLabel(via)],
        message: `gap: ${upcasterLabel(via)} lifts ${u.type} to v${version}, but no upcaster lifts ${u.type} from v${version} (latest is v${end})`,
      })
    }
  }
  return { runnable, latest, problems }
}

/** Why an event of this type/version stops short of its latest version, or undefined if it does not. */
export function gapFor(type: string, version: number, latest: Map<string, number>): string | undefined {
  const end = latest.get(type)
  if (end === undefined || version >= end) return undefined
  return `gap: no upcaster lifts ${type} from v${version} (latest is v${end})`
}
