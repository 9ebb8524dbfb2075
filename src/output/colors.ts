import { Chalk, type ChalkInstance } from 'chalk'

/** Colours only on a terminal, and never with NO_COLOR or TERM=dumb (https://no-color.org). */
export function colorEnabled(stream: NodeJS.WriteStream = process.stdout): boolean {
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false
  if (process.env.TERM === 'dumb') return false
  return stream.isTTY === true
}

export function chalkFor(stream: NodeJS.WriteStream = process.stdout): ChalkInstance {
  return new Chalk({ level: colorEnabled(stream) ? 1 : 0 })
}

const TYPE_COLORS = ['cyan', 'magenta', 'yellow', 'green', 'blue', 'redBright', 'cyanBright', 'magentaBright', 'yellowBright', 'greenBright', 'blueBright'] as const

/** The same event type always gets the same colour, run after run. */
export function typeColor(chalk: ChalkInstance, type: string): (text: string) => string {
  let hash = 0
  for (let i = 0; i < type.length; i++) hash = (hash * 31 + type.charCodeAt(i)) >>> 0
  return chalk[TYPE_COLORS[hash % TYPE_COLORS.length]]
}
