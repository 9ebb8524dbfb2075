import { EventEmitter } from 'node:events'
import type { Event } from '../events/event.js'
import { mergeReducer } from '../fold/reducer.js'
import { StateTimeline } from './state-timeline.js'
import type { StateAppProps } from './state-view.js'

/** A terminal nobody sees, of the size given, for ink to draw into (the bench records what it gets). */
export class HiddenTerminal extends EventEmitter {
  readonly isTTY = true
  constructor(readonly columns: number, readonly rows: number) {
    super()
  }
  write(_chunk?: string): boolean {
    return true
  }
}

/** A keyboard nobody types on, as ink's input needs it (the bench types on it). */
export class HiddenInput extends EventEmitter {
  readonly isTTY = true
  setRawMode() {}
  setEncoding() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read(): string | null {
    return null
  }
}

/** A few made-up events that take the view's paths: changed fields, a warning, text and numbers. */
function madeUpEvents(): Event[] {
  return Array.from({ length: 12 }, (_, i): Event => ({
    position: i + 1,
    stream: 'warm-up',
    version: i + 1,
    type: i === 0 ? 'Opened' : 'Changed',
    schemaVersion: 1,
    time: `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z`,
    data: { count: i, label: `item ${i}`, nested: { flag: i % 2 === 0 } },
    meta: { eventId: i === 11 ? 'e-10' : `e-${i}` },
  }))
}

interface Ui {
  render: typeof import('ink').render
  createElement: typeof import('react').createElement
  StateApp: (props: StateAppProps) => React.ReactNode
}

/**
 * Draws the view once, of made-up events, where nobody sees it, while the stream is still being
 * read: the first real frame then runs code that V8 has compiled already. Small: a 60x12 view
 * warms as much of the first frame as a full one (the first frame of a 100,000-event stream came
 * ~130 ms after the fold either way, ~250 ms cold) in half the time, which counts when the fold
 * finishes first.
 */
export function warmUp(ui: Ui, columns = 60, rows = 12): void {
  const timeline = new StateTimeline(madeUpEvents(), mergeReducer)
  const props: StateAppProps = { timeline, stream: 'warm-up', sourceName: '', start: 11, color: true, width: columns, height: rows }
  const stdout = new HiddenTerminal(columns, rows) as unknown as NodeJS.WriteStream
  const stdin = new HiddenInput() as unknown as NodeJS.ReadStream
  const app = ui.render(ui.createElement(ui.StateApp, props), { stdout, stdin, patchConsole: false, exitOnCtrlC: false })
  app.unmount()
}
