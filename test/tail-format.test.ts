// Units of tail: --from/--until specs and the event printers.
import { Chalk } from 'chalk'
import { describe, expect, it } from 'vitest'
import type { Event } from '../src/events/event.js'
import { compileTemplate, createEventPrinter } from '../src/output/event-format.js'
import { parseBound, resolveRange } from '../src/tail/range.js'

const NOW = new Date('2026-05-01T12:00:00Z')
const plain = new Chalk({ level: 0 })

const event = (over: Partial<Event> = {}): Event => ({
  position: 7, stream: 'acc-1', version: 3, type: 'MoneyDeposited', schemaVersion: 1, time: '2026-05-01T10:00:00.000Z',
  data: { amount: 12, tags: ['a'], note: 'line\nbreak' }, meta: { correlationId: 'req-7', 'x-trace': 't1' }, ...over,
})

describe('parseBound', () => {
  it('reads beginning, end, -N, positions, offsets and times', () => {
    expect(parseBound('beginning', '--from', 'sqlite')).toEqual({ kind: 'beginning' })
    expect(parseBound('end', '--until', 'kafka')).toEqual({ kind: 'end' })
    expect(parseBound('-20', '--from', 'kafka')).toEqual({ kind: 'last', count: 20 })
    expect(parseBound('1234', '--from', 'sqlite')).toEqual({ kind: 'position', position: 1234 })
    expect(parseBound('position:12', '--from', 'file')).toEqual({ kind: 'position', position: 12 })
    expect(parseBound('offset:99', '--from', 'kafka')).toEqual({ kind: 'offset', offset: 99n })
    expect(parseBound('99', '--from', 'kafka')).toEqual({ kind: 'offset', offset: 99n })
    expect(parseBound('2026-05-01T10:00', '--from', 'sqlite', NOW)).toEqual({ kind: 'time', time: '2026-05-01T10:00:00.000Z', ms: Date.parse('2026-05-01T10:00:00Z') })
    expect(parseBound('-2h', '--from', 'sqlite', NOW)).toMatchObject({ kind: 'time', time: '2026-05-01T10:00:00.000Z' })
    expect(parseBound('time:1777629600', '--from', 'sqlite', NOW)).toMatchObject({ kind: 'time', time: '2026-05-01T10:00:00.000Z' })
  })

  it('rejects what it cannot read, naming the flag and the accepted forms', () => {
    expect(() => parseBound('-0', '--from', 'sqlite')).toThrow(/--from -0: expected -N with N >= 1/)
    expect(() => parseBound('soon', '--until', 'sqlite')).toThrow(/--until "soon" is not a position, offset or time; accepted: beginning, end, -N/)
    expect(() => parseBound('offset:3', '--from', 'file')).toThrow(/offset:N is for Kafka topics; for a file give a position/)
    expect(() => parseBound('position:3', '--from', 'kafka')).toThrow(/use offset:3 with --partition/)
    expect(() => parseBound('2099-01-01', '--from', 'sqlite', NOW)).toThrow(/in the future/)
  })

  it('defaults: everything up to the end at start; --follow starts with the last 10', () => {
    expect(resolveRange({}, 'sqlite')).toEqual({ from: { kind: 'beginning' }, until: { kind: 'end' }, follow: false })
    expect(resolveRange({ follow: true }, 'sqlite')).toEqual({ from: { kind: 'last', count: 10 }, until: undefined, follow: true })
    expect(() => resolveRange({ from: '10', until: '5' }, 'sqlite')).toThrow(/--from position 10 is after --until position 5/)
    expect(() => resolveRange({ until: 'beginning' }, 'sqlite')).toThrow(/--until beginning selects nothing/)
  })
})

describe('event printers', () => {
  it('ndjson prints one Event per line; json one array', () => {
    const nd = createEventPrinter('ndjson', { chalk: plain })
    expect(nd.begin() + nd.event(event()) + nd.event(event({ position: 8 })) + nd.end()).toBe(`${JSON.stringify(event())}\n${JSON.stringify(event({ position: 8 }))}\n`)
    const json = createEventPrinter('json', { chalk: plain })
    const text = json.begin() + json.event(event()) + json.event(event({ position: 8 })) + json.end()
    expect(JSON.parse(text)).toEqual([event(), event({ position: 8 })])
    const empty = createEventPrinter('json', { chalk: plain })
    expect(JSON.parse(empty.begin() + empty.end())).toEqual([])
  })

  it('templates read tokens and paths; strings raw, other values as JSON, missing as nothing', () => {
    const render = compileTemplate('{time}\\t{type} {stream}@{version} #{position} v{schemaVersion} {data.amount} {data.tags} {data.tags.0} {meta.x-trace} [{data.none}] {{literal}}')
    expect(render(event())).toBe('2026-05-01T10:00:00.000Z\tMoneyDeposited acc-1@3 #7 v1 12 ["a"] a t1 [] {literal}')
    const kafka = compileTemplate('{topic}/{partition}/{offset} {key} {headers.ce_type}\\n')
    expect(kafka(event({ kafka: { topic: 't', partition: 2, offset: '41', key: 'k', headers: { ce_type: 'X' } } }))).toBe('t/2/41 k X\n')
    expect(kafka(event())).toBe('//  \n')
  })

  it('template mistakes are exit-2 errors naming the token or column', () => {
    expect(() => compileTemplate('{amount}')).toThrow(/unknown token \{amount\}; the tokens are/)
    expect(() => compileTemplate('{data.}')).toThrow(/unknown token \{data\.\}/)
    expect(() => compileTemplate('{time')).toThrow(/"\{" at column 1 is not closed/)
    expect(() => compileTemplate('time}')).toThrow(/"\}" at column 5 closes nothing/)
  })

  it('pretty prints one line per event, cut to the terminal width, with type colours that do not change', () => {
    const pretty = createEventPrinter('pretty', { chalk: plain, columns: 80 })
    const line = pretty.event(event({ data: { text: 'x'.repeat(200) } }))
    expect(line.endsWith('…\n')).toBe(true)
    expect(line.split('\n')).toHaveLength(2)
    expect(line.length).toBeLessThanOrEqual(81)
    const multiline = pretty.event(event())
    expect(multiline.split('\n')).toHaveLength(2) // "\n" inside data stays escaped
    const colored = createEventPrinter('pretty', { chalk: new Chalk({ level: 1 }) })
    const a = colored.event(event())
    const b = colored.event(event({ position: 9 }))
    const typeColour = (s: string) => /(\u001b\[\d+m)MoneyDeposited/.exec(s)?.[1]
    expect(typeColour(a)).toBeDefined()
    expect(typeColour(a)).toBe(typeColour(b))
  })
})
