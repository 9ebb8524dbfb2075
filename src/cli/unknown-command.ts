import { alternatives, nearest, shellWord } from './suggest.js'

/**
 * `rewind stat @bank acc-07`: oclif reports "command stat:@bank:acc-07 not found" (it joins the
 * words it could not place into one id). This finds the word that is not a command, as typed,
 * and the nearest command, and shows the whole line with it corrected.
 */
export interface UnknownCommand {
  /** One line: the word that is no command and the nearest commands. */
  headline: string
  /** Lines below it: the command line corrected, or the commands there are. */
  detail: string
}

const display = (id: string) => id.split(':').join(' ')

/** undefined when argv names a command or a topic (oclif then runs it or shows the topic's help), or is empty. */
export function unknownCommand(argv: string[], commandIds: string[], bin = 'rewind'): UnknownCommand | undefined {
  const words: string[] = []
  // `upcast:check` is oclif's own spelling of `upcast check`.
  if (/^[\w-]+(:[\w-]+)+$/.test(argv[0] ?? '')) argv = [...argv[0].split(':'), ...argv.slice(1)]
  for (const arg of argv) {
    if (arg.startsWith('-')) break
    words.push(arg)
  }
  // oclif answers --help and --version itself; any other flag here stands where the command goes.
  if (words.length === 0) {
    if (argv[0] === undefined || !argv[0].startsWith('-')) return undefined
    return { headline: `unknown flag ${argv[0]}; the command comes first (${bin} COMMAND [flags])`, detail: `commands: ${commandIds.map(display).sort().join(', ')}\nsee ${bin} --help` }
  }
  // The topics and commands the first words name (`upcast`, `upcast check`).
  const prefixes = new Set(commandIds.flatMap((id) => id.split(':').map((_, i, parts) => parts.slice(0, i + 1).join(':'))))
  const ids = new Set(commandIds)
  let depth = 0
  while (depth < words.length && prefixes.has(words.slice(0, depth + 1).join(':'))) {
    depth++
    if (ids.has(words.slice(0, depth).join(':'))) return undefined
  }
  if (depth === words.length) return undefined
  const topic = words.slice(0, depth)
  const typed = words[depth]
  // Under a topic: its commands by their last word. At the top: commands and topics, and a nested
  // command by its own name too (`rewind check` -> `upcast check`).
  const candidates = new Map<string, string[]>()
  const add = (name: string, path: string[]) => {
    if (!candidates.has(name)) candidates.set(name, path)
  }
  for (const id of commandIds) {
    const parts = id.split(':')
    if (topic.length > 0) {
      if (parts.length > topic.length && topic.every((word, i) => parts[i] === word)) add(parts[topic.length], parts.slice(0, topic.length + 1))
    } else {
      add(parts[0], [parts[0]])
      if (parts.length > 1) add(parts[parts.length - 1], parts)
    }
  }
  const matches = nearest(typed, candidates.keys())
  const typedCommand = [...topic, typed].join(' ')
  const rest = argv.slice(depth + 1).map(shellWord)
  if (matches.length === 0) {
    const under = topic.length === 0 ? commandIds : commandIds.filter((id) => id.startsWith(`${topic.join(':')}:`))
    return {
      headline: `unknown command "${typedCommand}"`,
      detail: `commands: ${under.map(display).sort().join(', ')}\nsee ${bin} --help`,
    }
  }
  const fixed = matches.map((name) => candidates.get(name)!.join(' '))
  return {
    headline: `unknown command "${typedCommand}"; did you mean ${alternatives(fixed.map((command) => `"${command}"`))}?`,
    detail: fixed.map((command) => `  ${[bin, command, ...rest].join(' ')}`).join('\n'),
  }
}
