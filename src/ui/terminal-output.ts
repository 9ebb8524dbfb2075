/**
 * ink's Output (ink/build/output.js), the grid each frame is drawn into, made fast enough for a
 * full-screen view; the bundle puts it in ink's place (src/cli/bundle.ts). Same frames, character
 * for character: a test compares the two on the view's frames and on text made to trip it.
 *
 * ink's own splits every written line into graphemes with Intl.Segmenter, makes an object and a
 * copy of the style list for each character, and compares each cell's styles with the last one's
 * by building three Sets: ~130 ms for the first 120x40 frame of `state -i` and 5-15 ms of every
 * key's frame after. Here:
 * - lines of printable ASCII and one-column characters (the ellipsis, box lines: narrow-characters.ts)
 *   are split by code unit, which is how Intl.Segmenter splits them too; escape sequences are
 *   still parsed by the tokenizer, once per distinct sequence;
 * - the grid is arrays of cell values and style lists side by side, not an object per cell;
 *   characters of one style run share one style list, and a cell with the same list (or an empty
 *   one after an empty one) as the cell before it needs no escape codes, as diffAnsiCodes would say;
 * - what a line turns into is kept from frame to frame (most lines do not change between keys).
 */

import { NARROW_CHARACTERS } from './narrow-characters.js'
import { guardStyledText } from '../events/terminal-text.js'

interface AnsiCode {
  type: 'ansi'
  code: string
  endCode: string
}

interface StyledChar {
  type: 'char'
  value: string
  fullWidth: boolean
  styles: AnsiCode[]
}

type Token = AnsiCode | { type: 'char'; value: string; fullWidth: boolean }

/** What ink's Output uses, from the packages ink depends on (the bundle passes ink's own). */
export interface OutputParts {
  stringWidth: (text: string) => number
  sliceAnsi: (text: string, start: number, end?: number) => string
  tokenize: (text: string) => Token[]
  styledCharsFromTokens: (tokens: Token[]) => StyledChar[]
  reduceAnsiCodesIncremental: (codes: AnsiCode[], newCodes: AnsiCode[]) => AnsiCode[]
  diffAnsiCodes: (from: AnsiCode[], to: AnsiCode[]) => AnsiCode[]
  ansiCodesToString: (codes: AnsiCode[]) => string
}

type Transformer = (line: string, index: number) => string
type Clip = { x1: number | undefined; x2: number | undefined; y1: number | undefined; y2: number | undefined }
type Operation = { type: 'write'; x: number; y: number; text: string; transformers: Transformer[] } | { type: 'clip'; clip: Clip } | { type: 'unclip' }

/** Entries a cache holds before it starts over: a frame of 40 lines uses ~100. */
const CACHE_LIMIT = 4096

/** A Map that starts over when full: what a line turns into, from frame to frame. */
class Memo<K, V> {
  private readonly map = new Map<K, V>()
  constructor(private readonly compute: (key: K) => V) {}
  get(key: K): V {
    let value = this.map.get(key)
    if (value === undefined) {
      if (this.map.size >= CACHE_LIMIT) this.map.clear()
      value = this.compute(key)
      this.map.set(key, value)
    }
    return value
  }
}

const ESC = 0x1b

/** `ESC [ digits and semicolons m` from `start`: the index of the `m`, else -1 (the tokenizer's own test). */
function sgrEnd(text: string, start: number): number {
  if (text.charCodeAt(start + 1) !== 0x5b) return -1
  for (let i = start + 2; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x6d) return i
    if (c !== 0x3b && (c < 0x30 || c > 0x39)) return -1
  }
  return -1
}

/** The faster Output class, built on the parts given (see OutputParts). */
export function terminalOutput(parts: OutputParts) {
  const { stringWidth, sliceAnsi, tokenize, styledCharsFromTokens, reduceAnsiCodesIncremental, diffAnsiCodes, ansiCodesToString } = parts

  /** Characters the tokenizer makes one narrow character of, whatever is around them. */
  const simple = new Uint8Array(0x10000)
  for (let c = 0x20; c < 0x7f; c++) simple[c] = 1
  for (const char of NARROW_CHARACTERS) simple[char.charCodeAt(0)] = 1

  const sequences = new Memo<string, AnsiCode[] | null>((sequence) => {
    const tokens = tokenize(sequence)
    return tokens.every((t) => t.type === 'ansi') ? (tokens as AnsiCode[]) : null
  })

  /**
   * A line as cells: each character, its styles (one list shared by a run of characters) and its
   * width (string-width's, at least 1), in arrays side by side: no object per character.
   */
  interface Cells {
    values: string[]
    styles: AnsiCode[][]
    widths: number[]
  }

  /** styledCharsFromTokens(tokenize(line)) as cells. */
  function lineCells(line: string): Cells {
    const cells: Cells = { values: [], styles: [], widths: [] }
    let styles: AnsiCode[] = []
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i)
      if (c === ESC) {
        const end = sgrEnd(line, i)
        const codes = end === -1 ? null : sequences.get(line.slice(i, end + 1))
        if (codes === null) return tokenizedCells(line)
        for (const code of codes) styles = reduceAnsiCodesIncremental(styles, [code])
        i = end
      } else if (c < simple.length && simple[c] === 1) {
        cells.values.push(line[i])
        cells.styles.push(styles)
        cells.widths.push(1)
      } else {
        return tokenizedCells(line)
      }
    }
    return cells
  }

  /** The cells of a line the tokenizer splits (wide characters, graphemes of several code points, other escapes). */
  function tokenizedCells(line: string): Cells {
    const chars = styledCharsFromTokens(tokenize(line))
    return { values: chars.map((c) => c.value), styles: chars.map((c) => c.styles), widths: chars.map((c) => Math.max(1, widths.get(c.value))) }
  }

  /** styledCharsToString of a row: no escape codes between two cells of the same styles. */
  function rowToString(values: Array<string | undefined>, styles: AnsiCode[][]): string {
    let text = ''
    let previous: AnsiCode[] | undefined
    for (let i = 0; i < values.length; i++) {
      const value = values[i]
      if (value === undefined) continue // a gap left by a write past the frame's width
      const current = styles[i]
      if (previous === undefined) text += ansiCodesToString(current)
      else if (current !== previous && (current.length > 0 || previous.length > 0)) text += ansiCodesToString(diffAnsiCodes(previous, current))
      text += value
      previous = current
    }
    if (previous !== undefined && previous.length > 0) text += ansiCodesToString(diffAnsiCodes(previous, []))
    return text
  }

  const lines = new Memo(lineCells)
  const widths = new Memo<string, number>((text) => {
    const c = text.length === 1 ? text.charCodeAt(0) : 0
    return c >= 0x20 && c < 0x7f ? 1 : stringWidth(text)
  })
  const widestLines = new Memo<string, number>((text) => {
    let widest = 0
    for (const line of text.split('\n')) widest = Math.max(widest, widths.get(line))
    return widest
  })
  // Keyed `from:to:line`; the numbers hold no colon.
  const slices = new Memo<string, string>((key) => {
    const first = key.indexOf(':')
    const second = key.indexOf(':', first + 1)
    return sliceAnsi(key.slice(second + 1), Number(key.slice(0, first)), Number(key.slice(first + 1, second)))
  })
  const NO_STYLES: AnsiCode[] = []

  return class Output {
    width: number
    height: number
    private readonly operations: Operation[] = []

    constructor(options: { width: number; height: number }) {
      this.width = options.width
      this.height = options.height
    }

    write(x: number, y: number, text: string, options: { transformers: Transformer[] }): void {
      // The last guard of the views: only SGR styling reaches the terminal; the views escape store text first.
      if (text) this.operations.push({ type: 'write', x, y, text: guardStyledText(text), transformers: options.transformers })
    }

    clip(clip: Clip): void {
      this.operations.push({ type: 'clip', clip })
    }

    unclip(): void {
      this.operations.push({ type: 'unclip' })
    }

    get(): { output: string; height: number } {
      const values: Array<Array<string | undefined>> = []
      const styles: AnsiCode[][][] = []
      for (let y = 0; y < this.height; y++) {
        values.push(new Array<string>(this.width).fill(' '))
        styles.push(new Array<AnsiCode[]>(this.width).fill(NO_STYLES))
      }
      const clips: Clip[] = []
      for (const operation of this.operations) {
        if (operation.type === 'clip') clips.push(operation.clip)
        if (operation.type === 'unclip') clips.pop()
        if (operation.type !== 'write') continue
        const { text, transformers } = operation
        let { x, y } = operation
        let written = text.split('\n')
        const clip = clips.at(-1)
        if (clip) {
          const clipHorizontally = typeof clip.x1 === 'number' && typeof clip.x2 === 'number'
          const clipVertically = typeof clip.y1 === 'number' && typeof clip.y2 === 'number'
          if (clipHorizontally) {
            const width = widestLines.get(text)
            if (x + width < clip.x1! || x > clip.x2!) continue
          }
          if (clipVertically && (y + written.length < clip.y1! || y > clip.y2!)) continue
          if (clipHorizontally) {
            const x1 = clip.x1!
            const x2 = clip.x2!
            const lineX = x
            written = written.map((line) => {
              const from = lineX < x1 ? x1 - lineX : 0
              const width = widths.get(line)
              const to = lineX + width > x2 ? x2 - lineX : width
              return slices.get(`${from}:${to}:${line}`)
            })
            if (x < x1) x = x1
          }
          if (clipVertically) {
            const from = y < clip.y1! ? clip.y1! - y : 0
            const to = y + written.length > clip.y2! ? clip.y2! - y : written.length
            written = written.slice(from, to)
            if (y < clip.y1!) y = clip.y1!
          }
        }
        for (let index = 0, offsetY = 0; index < written.length; index++) {
          const rowValues = values[y + offsetY]
          if (!rowValues) continue
          const rowStyles = styles[y + offsetY]
          let line = written[index]
          for (const transformer of transformers) line = transformer(line, index)
          const cells = lines.get(line)
          let offsetX = x
          for (let i = 0; i < cells.values.length; i++) {
            rowValues[offsetX] = cells.values[i]
            rowStyles[offsetX] = cells.styles[i]
            const width = cells.widths[i]
            // The columns a wide character covers: empty, in its styles (as ink's own).
            for (let column = 1; column < width; column++) {
              rowValues[offsetX + column] = ''
              rowStyles[offsetX + column] = cells.styles[i]
            }
            offsetX += width
          }
          offsetY++
        }
      }
      const output = values.map((rowValues, y) => rowToString(rowValues, styles[y]).trimEnd())
      return { output: output.join('\n'), height: values.length }
    }
  }
}
