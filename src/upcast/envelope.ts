import type { Event } from '../events/event.js'
import { structuralDiff } from './compare.js'

/** What identifies an event and its place; an upcaster changes the payload, not these. */
export const ENVELOPE_FIELDS = ['stream', 'position', 'time', 'meta.eventId', 'meta.correlationId', 'meta.causationId'] as const
export type EnvelopeField = (typeof ENVELOPE_FIELDS)[number]

const metaOf = (event: Event): Record<string, unknown> | undefined => {
  const meta = event.meta as Record<string, unknown> | undefined
  return meta === null || typeof meta !== 'object' ? undefined : meta
}

const READ: Record<EnvelopeField, (event: Event) => unknown> = {
  stream: (e) => e.stream,
  position: (e) => e.position,
  time: (e) => e.time,
  'meta.eventId': (e) => metaOf(e)?.eventId,
  'meta.correlationId': (e) => metaOf(e)?.correlationId,
  'meta.causationId': (e) => metaOf(e)?.causationId,
}

export const envelopeValue = (event: Event, field: EnvelopeField): unknown => READ[field](event)

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
  // Upcasters that spread the event keep the very same meta object: nothing to compare there.
  const sameMeta = input.meta === output.meta
  for (const field of ENVELOPE_FIELDS) {
    if (sameMeta && field.charCodeAt(0) === 109 /* m */) break
    const read = READ[field]
    const before = read(input)
    const after = read(output)
    if (before !== after && !same(before, after) && skip?.(field) !== true) changes.push({ field, before, after })
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
