import type { Event } from '../events/event.js'
import { FoldSite } from '../fold/fold-site.js'
import { runUserCode } from '../modules/user-code.js'
import type { EventSource, ReadOptions } from '../sources/source.js'
import { UpcastError, upcasterLabel, type UpcastChain } from './chain.js'
import { gapFor } from './completeness.js'
import { deepFreeze, isFrozenWrite } from './deep-freeze.js'
import { envelopeChanges } from './envelope.js'
import { inlineValue } from '../output/json.js'
import type { AgainstPair, AgainstReport, UpcastFailure } from './report.js'
import { thousands } from '../output/numbers.js'

interface PairState extends AgainstPair {
  /** An upcaster applies to this type and version. */
  lifts: boolean
  /** Set when this type/version cannot reach its latest version and nothing lifts it. */
  gap?: string
}

export interface AgainstOptions {
  /** The type/version pairs some fixture input covers ("Type\u0000version"). */
  covered: Set<string>
  /** How to name the source in messages (default: its path). */
  name?: string
  /** --skip-invalid and its warnings. */
  read?: Pick<ReadOptions, 'skipInvalid' | 'onWarning'>
  onProgress?: (events: number) => void
}

const shown = (value: unknown): string => (value === undefined ? 'missing' : inlineValue(value))

export const pairKey = (type: string, schemaVersion: number): string => `${type}\u0000${schemaVersion}`

/**
 * The chain run over stored events, one at a time: counts and the first failure per type/version
 * pair, so memory is bounded by the number of pairs. Inputs are frozen, so a write to one fails
 * here too (strict-mode code).
 */
export class AgainstTally {
  readonly pairs = new Map<string, Map<number, PairState>>()
  events = 0
  failed = 0

  constructor(private readonly chain: UpcastChain, private readonly latest: Map<string, number>, private readonly covered: Set<string>) {}

  private pairFor(event: Event): PairState {
    let byVersion = this.pairs.get(event.type)
    if (byVersion === undefined) this.pairs.set(event.type, (byVersion = new Map()))
    let pair = byVersion.get(event.schemaVersion)
    if (pair === undefined) {
      const lifts = this.chain.next(event.type, event.schemaVersion) !== undefined
      pair = {
        type: event.type, schemaVersion: event.schemaVersion, count: 0, failed: 0,
        covered: this.covered.has(pairKey(event.type, event.schemaVersion)), lifts,
        gap: lifts ? undefined : gapFor(event.type, event.schemaVersion, this.latest),
      }
      byVersion.set(event.schemaVersion, pair)
    }
    return pair
  }

  private fail(pair: PairState, event: Event, reason: string, upcaster?: string): void {
    this.failed++
    if (pair.failed++ === 0) pair.firstFailure = { position: event.position, stream: event.stream, reason, ...(upcaster === undefined ? {} : { upcaster }) }
  }

  check(event: Event): void {
    this.events++
    const pair = this.pairFor(event)
    pair.count++
    if (!pair.lifts) {
      if (pair.gap !== undefined) this.fail(pair, event, pair.gap)
      return
    }
    // Frozen, the stored event stays as read: it is the reference for the envelope.
    const input = deepFreeze(event)
    let outputs: Event[]
    try {
      outputs = this.chain.apply(input)
    } catch (error) {
      if (error instanceof UpcastError) {
        const label = upcasterLabel(error.upcaster)
        const reason = isFrozenWrite(error.reason) ? `${label} changed its input (inputs are frozen): ${error.reason.message}` : `${label} failed: ${(error.reason as Error)?.message ?? String(error.reason)}`
        this.fail(pair, event, reason, label)
      } else this.fail(pair, event, (error as Error).message ?? String(error))
      return
    }
    for (const out of outputs) {
      const gap = gapFor(out.type, out.schemaVersion, this.latest)
      if (gap !== undefined) {
        this.fail(pair, event, `became ${out.type} v${out.schemaVersion}, then stopped: ${gap}`)
        return
      }
      const changes = envelopeChanges(input, out)
      if (changes.length > 0) {
        const c = changes[0]
        this.fail(pair, event, `envelope not preserved: ${c.field} was ${shown(c.before)}, now ${shown(c.after)}`)
        return
      }
    }
  }

  /** The pairs as plain data (they cross a thread boundary). */
  list(): AgainstPair[] {
    return [...this.pairs.values()].flatMap((m) => [...m.values()]).map(({ lifts: _lifts, gap: _gap, ...pair }) => pair)
  }
}

/**
 * Pair lists of consecutive position ranges, in range order, as one: counts add up, and the
 * first failure of a pair is the earliest range's.
 */
export function mergePairs(lists: AgainstPair[][]): AgainstPair[] {
  const merged = new Map<string, AgainstPair>()
  for (const list of lists) {
    for (const pair of list) {
      const key = pairKey(pair.type, pair.schemaVersion)
      const seen = merged.get(key)
      if (seen === undefined) merged.set(key, { ...pair })
      else {
        seen.count += pair.count
        seen.failed += pair.failed
        if (seen.firstFailure === undefined && pair.firstFailure !== undefined) seen.firstFailure = pair.firstFailure
      }
    }
  }
  return [...merged.values()]
}

/** The report and one failure per failing pair, pairs sorted by type and version. */
export function againstReport(name: string, pairs: AgainstPair[]): { report: AgainstReport; failures: UpcastFailure[] } {
  const list = [...pairs].sort((a, b) => a.type.localeCompare(b.type) || a.schemaVersion - b.schemaVersion)
  const failures: UpcastFailure[] = list.filter((p) => p.failed > 0).map((p) => ({
    case: `${name} ${p.type} v${p.schemaVersion}`,
    check: 'against',
    upcaster: p.firstFailure!.upcaster,
    reason: `${p.type} v${p.schemaVersion}: ${thousands(p.failed)} of ${thousands(p.count)} stored events fail; first at position ${p.firstFailure!.position} (stream ${p.firstFailure!.stream}): ${p.firstFailure!.reason}`,
  }))
  const report: AgainstReport = {
    source: name,
    events: list.reduce((n, p) => n + p.count, 0),
    failed: list.reduce((n, p) => n + p.failed, 0),
    pairs: list,
  }
  return { report, failures }
}

/** Runs the chain over every stored event of the source (or of its position range), one pass. */
export async function tallyAgainst(source: EventSource, chain: UpcastChain, latest: Map<string, number>, options: Omit<AgainstOptions, 'name'> & { range?: Pick<ReadOptions, 'fromPosition' | 'untilPosition'> }): Promise<AgainstTally> {
  const tally = new AgainstTally(chain, latest, options.covered)
  const site = new FoldSite('', chain)
  for await (const batch of source.batches({ ...options.read, ...options.range, withMeta: true, batchSize: 500 })) {
    runUserCode(() => {
      for (let i = 0; i < batch.length; i++) {
        site.lifting(batch[i])
        tally.check(batch[i])
      }
    }, site.doing)
    options.onProgress?.(tally.events)
  }
  return tally
}

export async function checkAgainst(source: EventSource, chain: UpcastChain, latest: Map<string, number>, options: AgainstOptions): Promise<{ report: AgainstReport; failures: UpcastFailure[] }> {
  const tally = await tallyAgainst(source, chain, latest, options)
  return againstReport(options.name ?? source.name, tally.list())
}
