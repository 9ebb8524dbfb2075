import type { Event } from '../events/event.js'
import { structuralDiff } from './compare.js'

/** What identifies an event and its place; an upcaster changes the payload, not these. */
export const ENVELOPE_FIELDS = ['stream', 'position', 'time', 'meta.eventId', 'meta.correlationId', 'meta.causationId'] as const
export type EnvelopeField = (typeof ENVELOPE_FIELDS)[number]

export function envelopeValue(event: Event, field: EnvelopeField): unknown {
  switch (field) {
    case 'stream':
      return event.stream
    case 'position':
      return event.position
    case 'time':
      return event.time
    default: {
      const meta = event.meta as Record<string, unknown> | undefined
      return meta === null || typeof meta !== 'object' ? undefined : meta[field.slice(5)]
    }
  }
}

const same = (a: unknown, b: unknown): boolean =>
  Object.is(a, b) || (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && structuralDiff(a, b).length === 0)

export interface EnvelopeChange {
  field: EnvelopeField
  before: unknown
  after: unknown
}

/** Envelope fields that differ between a stored event and what the chain made of it. */
export function envelopeChanges(input: Event, output: Event, skip?: (field: EnvelopeField) => boolean): EnvelopeChange[] {
  const changes: EnvelopeChange[] = []
  for (const field of ENVELOPE_FIELDS) {
    if (skip?.(field) === true) continue
    const before = envelopeValue(input, field)
    const after = envelopeValue(output, field)
    if (!same(before, after)) changes.push({ field, before, after })
  }
  return changes
}

/** Does the golden line give this field a value other than the input's (a deliberate change)? */
export function goldenOverrides(expected: Record<string, unknown> | undefined, field: EnvelopeField, input: Event): boolean {
  if (expected === undefined) return false
  let named: boolean
  let value: unknown
  if (field.startsWith('meta.')) {
    const meta = expected.meta as Record<string, unknown> | undefined
    named = meta !== null && typeof meta === 'object' && field.slice(5) in meta
    value = named ? meta![field.slice(5)] : undefined
  } else {
    named = field in expected
    value = expected[field]
  }
  return named && !same(value, envelopeValue(input, field))
}
