import { stripVTControlCharacters } from 'node:util'
import { UserError } from '../errors.js'
import { alternatives, nearest, shellWord } from './suggest.js'

/**
 * oclif's parse errors as rewind shows errors: the error on one line (`unknown flag --trac; did you
 * mean --trace?`), then what helps below it as lines: the command line corrected, or the usage
 * with the arguments and flags it is missing, and where the help is.
 */

/** What a usage error needs to know of the command that failed to parse. */
export interface CommandShape {
  bin: string
  /** `upcast:check`, as oclif names it. */
  id: string
  args: Record<string, { description?: string; required?: boolean }>
  flags: Record<string, { char?: string; description?: string; required?: boolean; type?: string }>
  /** The arguments after the command's name, as typed. */
  argv: string[]
}

interface ParseError extends Error {
  flags?: string[]
  args?: Array<{ name?: string }> | string[]
}

export function usageError(error: ParseError, command: CommandShape): UserError {
  const { headline, lines } = describe(error, command)
  lines.push(`see ${command.bin} ${displayId(command.id)} --help`)
  return new UserError(headline, { detail: lines.join('\n'), cause: error })
}

const displayId = (id: string) => id.split(':').join(' ')

function describe(error: ParseError, command: CommandShape): { headline: string; lines: string[] } {
  const text = stripVTControlCharacters(error.message).replace(/^Error:\s*/, '').replace(/\s*See more help with --help\s*$/, '')
  if (/^Nonexistent flags?:/.test(text) && Array.isArray(error.flags)) return unknownFlags(error.flags, command)
  if (/^Missing \d+ required args?/.test(text) && Array.isArray(error.args)) {
    const names = (error.args as Array<{ name?: string }>).map((arg) => (arg.name ?? '').toUpperCase())
    return { headline: `missing argument${names.length === 1 ? '' : 's'} ${alternatives(names, 'and')}`, lines: usage(command, []) }
  }
  if (/^Unexpected arguments?:/.test(text) && Array.isArray(error.args)) {
    const extra = error.args.map((arg) => `"${String(arg)}"`)
    return { headline: `unexpected argument${extra.length === 1 ? '' : 's'} ${extra.join(' ')}`, lines: usage(command, []) }
  }
  const parsing = /^Parsing --(\S+)\s*\n\s*(.*)$/s.exec(text)
  if (parsing) return { headline: `--${parsing[1]}: ${lowerFirst(parsing[2].trim())}`, lines: [] }
  if (/^The following errors? occurred:/.test(text)) return flagConstraints(text.split('\n').slice(1).map((l) => l.trim()).filter(Boolean), command)
  const [first, ...rest] = text.split('\n').map((l) => l.trim()).filter(Boolean)
  return { headline: lowerFirst(first ?? 'could not parse the command line'), lines: rest }
}

/** `--trac`: the nearest flags of this command, and the line corrected when each typo has one. */
function unknownFlags(typed: string[], command: CommandShape): { headline: string; lines: string[] } {
  const long = [...Object.keys(command.flags), 'help']
  const fixes = new Map<string, string[]>()
  const parts = typed.map((arg) => {
    const name = arg.replace(/=.*$/s, '')
    const matches = nearest(name.replace(/^--?/, ''), long).map((flag) => `--${flag}`)
    fixes.set(name, matches)
    return matches.length === 0 ? name : `${name}; did you mean ${alternatives(matches)}?`
  })
  const headline = parts.length === 1 ? `unknown flag ${parts[0]}` : `unknown flags ${parts.map((p) => p.replace(/; did you mean (.*)\?$/, ' (did you mean $1?)')).join(', ')}`
  if (![...fixes.values()].every((m) => m.length === 1)) return { headline, lines: [] }
  const corrected = command.argv.map((arg) => {
    if (!typed.includes(arg)) return shellWord(arg)
    const name = arg.replace(/=.*$/s, '')
    return shellWord(`${fixes.get(name)![0]}${arg.slice(name.length)}`)
  })
  return { headline, lines: [`  ${[command.bin, displayId(command.id), ...corrected].join(' ')}`] }
}

/** Missing required flags, flags that exclude each other: one line for the first, the rest below. */
function flagConstraints(reasons: string[], command: CommandShape): { headline: string; lines: string[] } {
  const missing = reasons.map((r) => /^Missing required flag (\S+)$/.exec(r)?.[1]).filter((name): name is string => name !== undefined)
  if (missing.length === reasons.length && missing.length > 0) {
    const names = missing.map((name) => `--${name}`)
    return { headline: `missing required flag${names.length === 1 ? '' : 's'} ${alternatives(names, 'and')}`, lines: usage(command, missing) }
  }
  const seen = new Set<string>()
  const lines: string[] = []
  for (const reason of reasons) {
    // oclif states an exclusion from both sides: "--at=1 cannot also be provided when using --version" and back.
    const exclusion = /^--([\w-]+)(?:=.*)? cannot also be provided when using --([\w-]+)$/s.exec(reason)
    if (exclusion === null) {
      lines.push(lowerFirst(reason))
      continue
    }
    const pair = [exclusion[1], exclusion[2]].sort().join(' ')
    if (!seen.has(pair)) lines.push(`--${exclusion[1]} and --${exclusion[2]} cannot be used together`)
    seen.add(pair)
  }
  return { headline: lines[0], lines: lines.slice(1) }
}

/** `usage: rewind state SOURCE STREAM [flags]` and a line for each argument (and each flag named). */
function usage(command: CommandShape, flagNames: string[]): string[] {
  const args = Object.entries(command.args)
  const words = args.map(([name, arg]) => (arg.required === true ? name.toUpperCase() : `[${name.toUpperCase()}]`))
  const required = Object.entries(command.flags).filter(([name, flag]) => flag.required === true || flagNames.includes(name))
  words.push(...required.map(([name]) => `--${name} ${name.toUpperCase().replaceAll('-', '_')}`), '[flags]')
  const rows: Array<[string, string]> = [
    ...args.map(([name, arg]): [string, string] => [name.toUpperCase(), arg.description ?? '']),
    ...required.filter(([name]) => flagNames.includes(name)).map(([name, flag]): [string, string] => [`--${name}`, flag.description ?? '']),
  ]
  const width = Math.max(0, ...rows.map(([label]) => label.length))
  return [`usage: ${command.bin} ${displayId(command.id)} ${words.join(' ')}`, ...rows.map(([label, description]) => `  ${label.padEnd(width)}  ${description}`.trimEnd())]
}

const lowerFirst = (text: string) => (/^[A-Z][a-z]/.test(text) ? text[0].toLowerCase() + text.slice(1) : text)
