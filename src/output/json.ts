import type { ChalkInstance } from 'chalk'
import { terminalJson } from '../events/terminal-text.js'
import { exactJson } from './exact-json.js'

/** Compact JSON for one value; undefined prints as null so every line parses; a BigInt as its digits. */
export const compactJson = (value: unknown): string => exactJson(value) ?? 'null'

/** Indented JSON for people, coloured like jq when the chalk instance has colours. */
export function prettyJson(value: unknown, chalk: ChalkInstance, indent = 2): string {
  const text = terminalJson(exactJson(value, indent) ?? 'null')
  if (chalk.level === 0) return text
  return text.replace(/("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g, (match, str, colon, literal, num) => {
    if (str !== undefined) return colon === undefined ? chalk.green(str) : `${chalk.blue.bold(str)}${colon}`
    if (literal !== undefined) return literal === 'null' ? chalk.gray(literal) : chalk.yellow(literal)
    if (num !== undefined) return chalk.yellow(num)
    return match
  })
}

/** A value as a short inline string for tables and trace lines. */
export function inlineValue(value: unknown, max = 60): string {
  if (value === undefined) return '∅'
  const text = terminalJson(typeof value === 'string' ? JSON.stringify(value) : compactJson(value))
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
