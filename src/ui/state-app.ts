import { constants } from 'node:os'
import { displayPath } from '../output/display-path.js'
import type { StateResult } from '../fold/fold-stream.js'
import { handleSigintInstead } from '../modules/user-code.js'
import { colorEnabled } from '../output/colors.js'
import { redactUri } from '../sources/redact-uri.js'
import type { StartOptions } from './state-navigation.js'
import { UserError } from '../errors.js'
import { describeFoldProgress } from './fold-progress.js'
import { openTimeline, type Folding, type TimelineOptions } from './timeline-thread.js'
import { warmUp } from './warm-up.js'

/**
 * What the view reads and folds (see TimelineOptions: the files the reducer and upcasters came
 * from, and how to open the source, are for the thread that reads the stream), where it starts
 * (--at, --version, --position, --stop-when), and the terminal.
 */
export interface InteractiveStateOptions extends Omit<TimelineOptions, 'start' | 'workerUrl'>, StartOptions {
  stdin?: NodeJS.ReadStream
  stdout?: NodeJS.WriteStream
}

// The alternate screen keeps the user's scrollback intact; leaving it restores what was there.
const ENTER_SCREEN = '\u001b[?1049h\u001b[H'
const LEAVE_SCREEN = '\u001b[?25h\u001b[?1049l'
const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT']


/**
 * ink, React and the view, loaded as a terminal app: React's production build (its development
 * build takes several times longer per frame, whatever NODE_ENV the user's shell has), and ink out
 * of its CI mode, in which it draws only the last frame. Both are decided when the modules load.
 */
async function loadUi() {
  const nodeEnv = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  delete process.env.CI
  delete process.env.CONTINUOUS_INTEGRATION
  try {
    const [{ render }, react, { StateApp }] = await Promise.all([import('ink'), import('react'), import('./state-view.js')])
    // React is CommonJS: its exports are the default export's, whether bundled or not.
    return { render, createElement: react.default.createElement, StateApp }
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = nodeEnv
  }
}

/**
 * Until the view opens, q and Ctrl-C (a key in raw mode, or SIGINT) stop the folding thread,
 * which may be looping in the user's reducer, and name what it was doing: exit 130 (0 for q).
 */
function stopBeforeTheView(stdin: NodeJS.ReadStream, options: InteractiveStateOptions, folding: Folding): { stopped: Promise<never>; end: () => void } {
  let stop!: (how: 'q' | 'Ctrl-C') => void
  const stopped = new Promise<never>((_, reject) => {
    stop = (how) => {
      const working = folding.threads.size > 0
      folding.stop()
      const doing = working ? describeFoldProgress(folding.progress, options.source, options.stream, options.files ?? {}) : Promise.resolve('the view had not opened yet')
      void doing.then((text) => reject(new UserError(`stopped by ${how}: ${text}`, { exitCode: how === 'q' ? 0 : 130 })))
    }
  })
  stopped.catch(() => undefined) // raced, and never settles unless stopped
  const restoreSigint = handleSigintInstead(() => stop('Ctrl-C'))
  // Read as ink reads ('readable', paused mode), so that the view takes the keyboard over as it is.
  const onKey = () => {
    let data: Buffer | string | null
    while ((data = stdin.read()) !== null) {
      const text = typeof data === 'string' ? data : data.toString('latin1')
      if (text.includes('\u0003')) stop('Ctrl-C')
      else if (text === 'q' || text === 'Q') stop('q')
    }
  }
  const raw = stdin.isTTY === true
  if (raw) {
    stdin.setRawMode(true)
    stdin.on('readable', onKey)
  }
  return {
    stopped,
    end: () => {
      restoreSigint()
      if (raw) stdin.off('readable', onKey)
    },
  }
}

/**
 * `rewind state SOURCE STREAM -i`: reads the stream once, then lets the user walk it full-screen.
 * Returns the state after the event selected when the user quit.
 */
export async function runInteractiveState(options: InteractiveStateOptions): Promise<StateResult> {
  // The reading thread starts first, so that it reads while this thread loads ink and React.
  const { at, version, position, stopWhen } = options
  const { opened: opening, folding } = openTimeline({ ...options, start: { at, version, position, stopWhen } })
  const stdin = options.stdin ?? process.stdin
  const waiting = stopBeforeTheView(stdin, options, folding)
  let opened: Awaited<typeof opening>
  let loaded: Awaited<ReturnType<typeof loadUi>>
  try {
    const ui = loadUi()
    ui.catch(() => undefined) // awaited below; not unhandled if reading the stream fails first
    let read = false
    opening.then(() => (read = true), () => undefined)
    loaded = await Promise.race([ui, waiting.stopped])
    if (!read) warmUp(loaded)
    opened = await Promise.race([opening, waiting.stopped])
  } finally {
    waiting.end()
  }
  const { render, createElement, StateApp } = loaded
  const stdout = options.stdout ?? process.stdout
  const { timeline, start, initial } = opened
  let cursor = start

  const restore = () => stdout.write(LEAVE_SCREEN)
  stdout.write(ENTER_SCREEN)
  process.once('exit', restore)
  let app: ReturnType<typeof render> | undefined
  // A kill (or a closed terminal) must not leave the user's terminal on the alternate screen.
  const onSignal = (signal: NodeJS.Signals) => {
    app?.unmount()
    restore()
    process.exit(128 + (constants.signals[signal] ?? 1))
  }
  for (const signal of SIGNALS) process.on(signal, onSignal)
  // Keys from the first frame on: ink reads the keyboard raw only once its first effects have run,
  // and a Ctrl-C before then was a SIGINT (exit 130) instead of a quit.
  if (stdin.isTTY) stdin.setRawMode(true)
  try {
    app = render(
      createElement(StateApp, {
        timeline,
        stream: options.stream,
        sourceName: `${redactUri(displayPath(options.source.name))} · ${displayPath(options.reducer.name)}`,
        start,
        initial,
        color: colorEnabled(stdout),
        onCursor: (i: number) => (cursor = i),
      }),
      { stdout, stdin, exitOnCtrlC: true },
    )
    await app.waitUntilExit()
  } finally {
    if (stdin.isTTY) stdin.setRawMode(false)
    for (const signal of SIGNALS) process.off(signal, onSignal)
    process.off('exit', restore)
    restore()
  }

  const event = timeline.event(cursor)
  return {
    stream: options.stream,
    as: { version: event.version ?? cursor + 1 },
    version: event.version ?? cursor + 1,
    events: cursor + 1,
    state: timeline.stateAfter(cursor),
    warnings: [...timeline.summary],
  }
}
