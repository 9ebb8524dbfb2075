import { Chalk } from 'chalk'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { seededRandom } from '../demo/bank-events.js'
import { NARROW_CHARACTERS } from './narrow-characters.js'
import { terminalOutput, type OutputParts } from './terminal-output.js'
import { guardStyledText } from '../events/terminal-text.js'

// ink's own Output, and the packages it uses, from ink's directory (as the bundle resolves them).
const inkBuild = dirname(createRequire(import.meta.url).resolve('ink'))
const fromInk = createRequire(join(inkBuild, 'output.js'))
const load = async (name: string) => import(pathToFileURL(fromInk.resolve(name)).href)

interface OutputLike {
  write(x: number, y: number, text: string, options: { transformers: Array<(line: string, index: number) => string> }): void
  clip(clip: { x1?: number; x2?: number; y1?: number; y2?: number }): void
  unclip(): void
  get(): { output: string; height: number }
}
type OutputClass = new (options: { width: number; height: number }) => OutputLike

async function outputs(): Promise<{ InkOutput: OutputClass; FastOutput: OutputClass }> {
  const [{ default: InkOutput }, { default: stringWidth }, { default: sliceAnsi }, tokenizer] = await Promise.all([
    import(pathToFileURL(join(inkBuild, 'output.js')).href),
    load('string-width'),
    load('slice-ansi'),
    // Import-only (no require condition), and not nested under ink: the one ink imports.
    import('@alcalzone/ansi-tokenize'),
  ])
  const FastOutput = terminalOutput({ stringWidth, sliceAnsi, ...tokenizer } as OutputParts)
  // Ours escapes what is not SGR styling (store data must not drive the terminal); ink's draws it.
  class GuardedInkOutput extends (InkOutput as OutputClass) {
    override write(x: number, y: number, text: string, options: { transformers: Array<(line: string, index: number) => string> }): void {
      super.write(x, y, guardStyledText(text), options)
    }
  }
  return { InkOutput: GuardedInkOutput, FastOutput: FastOutput as unknown as OutputClass }
}

type Operation = (output: OutputLike) => void

/** Draws the same operations with both and returns both frames. */
function draw(classes: { InkOutput: OutputClass; FastOutput: OutputClass }, size: { width: number; height: number }, operations: Operation[]) {
  const frames = [classes.InkOutput, classes.FastOutput].map((Output) => {
    const output = new Output(size)
    for (const operation of operations) operation(output)
    return output.get()
  })
  return { ink: frames[0], fast: frames[1] }
}

const chalk = new Chalk({ level: 3 })
const write = (x: number, y: number, text: string, transformers: Array<(line: string, index: number) => string> = []): Operation => (output) => output.write(x, y, text, { transformers })
const clip = (x1: number | undefined, x2: number | undefined, y1: number | undefined, y2: number | undefined): Operation => (output) => output.clip({ x1, x2, y1, y2 })
const unclip: Operation = (output) => output.unclip()

describe('terminalOutput: the frames of ink’s Output, faster', () => {
  it('counts by code unit only characters that ink’s string-width and tokenizer see as one narrow grapheme', async () => {
    const [{ default: stringWidth }, { tokenize }] = await Promise.all([load('string-width'), import('@alcalzone/ansi-tokenize')])
    for (const char of NARROW_CHARACTERS) {
      expect([char, stringWidth(char)]).toEqual([char, 1])
      const tokens = tokenize(`a${char}${char}a\u0301`)
      expect(tokens.map((t) => (t.type === 'char' ? [t.value, t.fullWidth] : [t.code]))).toEqual([['a', false], [char, false], [char, false], ['a\u0301', false]])
    }
  })

  it('draws a view like state -i draws it: borders, colours, inverse rows, clipped panes', async () => {
    const classes = await outputs()
    const row = (v: number, type: string, selected: boolean) => {
      const text = `${chalk.dim(`v${v}`.padStart(7))} ${chalk.dim('2026-01-01 00:00:0' + (v % 10))} ${chalk.cyan(type.padEnd(16))} {"amount":${v * 7},"currency":"EUR"}…`
      return selected ? chalk.inverse(text) : text
    }
    const operations: Operation[] = [
      write(0, 0, chalk.bold('rewind state') + ' account-big · bench.db · reducer.mjs'),
      write(0, 1, '┌' + '─'.repeat(70) + '┐\n' + '│\n'.repeat(20) + '└' + '─'.repeat(70) + '┘'),
      clip(1, 71, 2, 21),
      ...Array.from({ length: 24 }, (_, i) => write(1, 2 + i, row(100 + i, i % 3 === 0 ? 'MoneyDeposited' : 'MoneyWithdrawn', i === 7))),
      unclip,
      write(72, 1, '┌' + '─'.repeat(46) + '┐'),
      clip(73, 118, 2, 30),
      write(73, 2, `${chalk.bold('state after')} v107\n  balance: ${chalk.red('1,200')} ${chalk.dim('→')} ${chalk.green('1,207')}\n  owner: "Ada Lovelace"\n  ${chalk.yellow('⚠ duplicate eventId e-50000 (first at v50001)')} and a line long enough to be clipped at the pane's edge`),
      unclip,
      write(0, 39, chalk.inverse(' ? keys  / search  b break  t time  q quit ') + chalk.dim(' v107 · 107 of 100000')),
    ]
    const { ink, fast } = draw(classes, { width: 120, height: 40 }, operations)
    expect(ink.output).toContain('MoneyDeposited')
    expect(fast).toEqual(ink)
    // The second frame comes from the kept lines: still the same.
    expect(draw(classes, { width: 120, height: 40 }, operations).fast).toEqual(ink)
  })

  it('draws wide, combined and unusual text as ink does', async () => {
    const classes = await outputs()
    const tricky = [
      '日本語のテキスト', // two columns each
      'e\u0301 combining accent', // one grapheme of two code units
      'flag 🇫🇷 and ❤️ emoji', // regional indicators, variation selector 16
      'family 👨‍👩‍👧 joined',
      'tab\there',
      '\u001b]8;;https://example.com\u0007link\u001b]8;;\u0007 text', // OSC 8 link
      '\u001b[2Kcursor code, not a style',
      '\u009b31mC1 introducer',
      '\u001b[38;2;10;20;30mtrue colour\u001b[39m and \u001b[48;5;200m256 colour\u001b[49m',
      '\u001b[1;3;4mbold italic underline\u001b[0m reset',
      '\u001b[1m\u001b[2mbold and dim\u001b[22m none',
      'unterminated \u001b[31',
      '─┼─ box · dot … ellipsis ▶ marker → arrow',
      '',
    ]
    const operations: Operation[] = tricky.map((text, i) => write(i % 3, i, text))
    operations.push(clip(2, 10, 0, 5), ...tricky.slice(0, 6).map((text, i) => write(0, i, text)), unclip)
    operations.push(write(3, 15, 'upper\nlower', [(line, index) => `${index}:${line.toUpperCase()}`]))
    operations.push(write(110, 16, 'runs past the right edge of the frame'))
    const { ink, fast } = draw(classes, { width: 120, height: 20 }, operations)
    expect(ink.output).toContain('日本語')
    expect(fast).toEqual(ink)
  })

  it('draws 300 random frames as ink does', async () => {
    const classes = await outputs()
    const random = seededRandom(26)
    const pick = <T,>(items: T[]): T => items[Math.floor(random() * items.length)]
    const pieces = ['abc', 'Money', ' ', '…', '─', '│', '日本', 'e\u0301', '🇫🇷', '\t', '{"a":1}', 'é', '\u001b[7m', '\u001b[27m', '\u001b[0m', '\u001b[31', '\u001b]8;;x\u0007']
    const styles = [(t: string) => t, chalk.red, chalk.bold, chalk.dim, chalk.inverse, chalk.bgBlue.white, (t: string) => chalk.bold(chalk.dim(t))]
    const text = () => Array.from({ length: 1 + Math.floor(random() * 8) }, () => pick(styles)(pick(pieces))).join(pick(['', '', '\n']))
    let differing = 0
    for (let frame = 0; frame < 300; frame++) {
      const operations: Operation[] = []
      for (let i = 0; i < 12; i++) {
        const r = random()
        if (r < 0.15) operations.push(clip(Math.floor(random() * 20), 20 + Math.floor(random() * 30), random() < 0.5 ? undefined : Math.floor(random() * 5), 5 + Math.floor(random() * 10)))
        else if (r < 0.25) operations.push(unclip)
        else operations.push(write(Math.floor(random() * 45) - 5, Math.floor(random() * 14), text()))
      }
      const { ink, fast } = draw(classes, { width: 40, height: 12 }, operations)
      if (fast.output !== ink.output) differing++
    }
    expect(differing).toBe(0)
  })
})
