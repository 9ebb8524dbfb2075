import type { Event } from '../events/event.js'
import type { EventSource, ReadOptions } from '../sources/source.js'
import { UpcastError, upcasterLabel, type UpcastChain } from './chain.js'
import { gapFor } from './completeness.js'
import { deepFreeze, isFrozenWrite } from './deep-freeze.js'
import { envelopeChanges } from './envelope.js'
import { inlineValue } from '../output/json.js'
import type { AgainstPair, AgainstReport, UpcastFailure } from './report.js'

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
 * Runs the chain over every stored event, one pass, memory bounded by the number of
 * type/version pairs. Inputs are frozen, so a write to one fails here too (strict-mode code).
 */
export async function checkAgainst(source: EventSource, chain: UpcastChain, latest: Map<string, number>, options: AgainstOptions): Promise<{ report: AgainstReport; failures: UpcastFailure[] }> {
  const pairs = new Map<string, Map<number, PairState>>()
  let events = 0
  let failed = 0

  const pairFor = (event: Event): PairState => {
    let byVersion = pairs.get(event.type)
    if (byVersion === undefined) pairs.set(event.type, (byVersion = new Map()))
    let pair = byVersion.get(event.schemaVersion)
    if (pair === undefined) {
      const lifts = chain.next(event.type, event.schemaVersion) !== undefined
      pair = {
        type: event.type, schemaVersion: event.schemaVersion, count: 0, failed: 0,
        covered: options.covered.has(pairKey(event.type, event.schemaVersion)), lifts,
        gap: lifts ? undefined : gapFor(event.type, event.schemaVersion, latest),
      }
      byVersion.set(event.schemaVersion, pair)
    }
    return pair
  }

  const fail = (pair: PairState, event: Event, reason: string, upcaster?: string) => {
    failed++
    if (pair.failed++ === 0) pair.firstFailure = { position: event.position, stream: event.stream, reason, ...(upcaster === undefined ? {} : { upcaster }) }
  }

  const check = (event: Event) => {
    const pair = pairFor(event)
    pair.count++
    if (!pair.lifts) {
      if (pair.gap !== undefined) fail(pair, event, pair.gap)
      return
    }
    // Frozen, the stored event stays as read: it is the reference for the envelope.
    const input = deepFreeze(event)
    let outputs: Event[]
    try {
      outputs = chain.apply(input)
    } catch (error) {
      if (error instanceof UpcastError) {
        const label = upcasterLabel(error.upcaster)
        const reason = isFrozenWrite(error.reason) ? `${label} changed its input (inputs are frozen): ${error.reason.message}` : `${label} failed: ${(error.reason as Error)?.message ?? String(error.reason)}`
        fail(pair, event, reason, label)
      } else fail(pair, event, (error as Error).message ?? String(error))
      return
    }
    for (const out of outputs) {
      const gap = gapFor(out.type, out.schemaVersion, latest)
      if (gap !== undefined) {
        fail(pair, event, `became ${out.type} v${out.schemaVersion}, then stopped: ${gap}`)
        return
      }
      const changes = envelopeChanges(input, out)
      if (changes.length > 0) {
        const c = changes[0]
        fail(pair, event, `envelope not preserved: ${c.field} was ${shown(c.before)}, now ${shown(c.after)}`)
        return
      }
    }
  }

  for await (const batch of source.batches({ ...options.read, withMeta: true, batchSize: 5000 })) {
    for (let i = 0; i < batch.length; i++) check(batch[i])
    events += batch.length
    options.onProgress?.(events)
  }

  const name = options.name ?? source.name
  const list = [...pairs.values()].flatMap((m) => [...m.values()]).sort((a, b) => a.type.localeCompare(b.type) || a.schemaVersion - b.schemaVersion)
  const failures: UpcastFailure[] = list.filter((p) => p.failed > 0).map((p) => ({
    case: `${name} ${p.type} v${p.schemaVersion}`,
    check: 'against',
    upcaster: p.firstFailure!.upcaster,
    reason: `${p.type} v${p.schemaVersion}: ${p.failed} of ${p.count} stored events fail; first at position ${p.firstFailure!.position} (stream ${p.firstFailure!.stream}): ${p.firstFailure!.reason}`,
  }))
  const report: AgainstReport = {
    source: name,
    events,
    failed,
    pairs: list.map(({ lifts: _lifts, gap: _gap, ...pair }) => pair),
  }
  return { report, failures }
}
