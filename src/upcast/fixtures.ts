import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { UserError } from '../errors.js'
import type { Event } from '../events/event.js'
import { toEvent } from '../sources/file-source.js'
import { displayPath } from '../output/display-path.js'

export const INPUT_SUFFIX = '.in.ndjson'
export const GOLDEN_SUFFIX = '.out.ndjson'

/** One line of NAME.in.ndjson: the event (defaults filled) and what the line itself said. */
export interface FixtureInput {
  event: Event
  raw: Record<string, unknown>
  line: number
}

/** One line of NAME.out.ndjson: only the fields it names are compared. */
export interface GoldenEvent {
  expected: Record<string, unknown>
  line: number
}

export interface FixtureCase {
  /** Path under DIR without the suffix: "money-deposited/v1-gains-currency". */
  name: string
  /** Input and golden file paths as shown to the user. */
  input: string
  golden: string
  /** Absolute golden path, for --update. */
  goldenPath: string
  inputs: FixtureInput[]
  /** undefined when NAME.out.ndjson does not exist yet. */
  expected?: GoldenEvent[]
}

export interface FoundCases {
  cases: Array<{ name: string; inputPath: string; goldenPath: string }>
  /** NAME.out.ndjson files with no NAME.in.ndjson beside them. */
  orphanGoldens: string[]
}

function walk(dir: string, files: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) walk(path, files)
    else if (entry.isFile()) files.push(path)
  }
}

/** Every NAME.in.ndjson under `dir` (recursively), paired with its NAME.out.ndjson. */
export function findCases(dir: string): FoundCases {
  if (!existsSync(dir)) throw new UserError(`${dir}: no such directory (expected a directory of NAME${INPUT_SUFFIX} and NAME${GOLDEN_SUFFIX} fixture pairs)`)
  if (!statSync(dir).isDirectory()) throw new UserError(`${dir}: not a directory (expected a directory of NAME${INPUT_SUFFIX} and NAME${GOLDEN_SUFFIX} fixture pairs)`)
  const files: string[] = []
  walk(dir, files)
  const inputs = new Set(files.filter((f) => f.endsWith(INPUT_SUFFIX)))
  const cases = [...inputs].map((inputPath) => {
    const stem = inputPath.slice(0, -INPUT_SUFFIX.length)
    return { name: relative(dir, stem).split(sep).join('/'), inputPath, goldenPath: `${stem}${GOLDEN_SUFFIX}` }
  })
  const orphanGoldens = files.filter((f) => f.endsWith(GOLDEN_SUFFIX) && !inputs.has(`${f.slice(0, -GOLDEN_SUFFIX.length)}${INPUT_SUFFIX}`))
  return { cases, orphanGoldens: orphanGoldens.map((f) => displayPath(f)) }
}

/** Non-blank lines of an NDJSON file, parsed; a line that is not JSON stops the run (exit 2). */
function readNdjson(path: string): Array<{ value: unknown; line: number; where: string }> {
  const file = displayPath(path)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new UserError(`${file}: cannot read (${(error as Error).message})`)
  }
  const out: Array<{ value: unknown; line: number; where: string }> = []
  text.split('\n').forEach((content, i) => {
    if (content.trim() === '') return
    const where = `${file}:${i + 1}`
    try {
      out.push({ value: JSON.parse(content), line: i + 1, where })
    } catch (error) {
      throw new UserError(`${where}: not valid JSON (${(error as Error).message}); each line must be one event object`)
    }
  })
  return out
}

export function readCase(found: FoundCases['cases'][number]): FixtureCase {
  const inputs = readNdjson(found.inputPath).map(({ value, line, where }): FixtureInput => ({
    event: toEvent(value, where, line),
    raw: value as Record<string, unknown>,
    line,
  }))
  let expected: GoldenEvent[] | undefined
  if (existsSync(found.goldenPath)) {
    expected = readNdjson(found.goldenPath).map(({ value, line, where }) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UserError(`${where}: expected an event object (the fields to compare), got ${JSON.stringify(value)}`)
      return { expected: value as Record<string, unknown>, line }
    })
  }
  return { name: found.name, input: displayPath(found.inputPath), golden: displayPath(found.goldenPath), goldenPath: found.goldenPath, inputs, expected }
}
