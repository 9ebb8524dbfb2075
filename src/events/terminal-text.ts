import type { ChalkInstance } from 'chalk'

/**
 * Store data is hostile: a stored `\e]52;c;...\a` writes the user's clipboard, `\r` and U+202E
 * rewrite what a line appears to say, a newline followed by `::error::` is a workflow command in
 * a CI log. These functions make such characters visible instead of letting them act.
 *
 * The class: C0 controls, DEL, C1 controls (U+009B acts as CSI on some terminals), the bidi
 * embeddings, overrides, isolates and marks, invisible separators and joiners that hide text
 * (zero-width space, word joiner, BOM), the Unicode line and paragraph separators, and the
 * interlinear annotation controls. ZWJ and ZWNJ stay: emoji and several scripts need them.
 */
const UNSAFE_CLASS = '\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200b\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff\\ufff9-\\ufffb'
const UNSAFE = new RegExp(`[${UNSAFE_CLASS}]`)
const UNSAFE_ALL = new RegExp(`[${UNSAFE_CLASS}]`, 'g')

/** What JSON.stringify leaves raw but a terminal acts on (it already escapes C0). */
const JSON_UNSAFE_CLASS = UNSAFE_CLASS.replace('\\u0000-\\u001f', '')
const JSON_UNSAFE = new RegExp(`[${JSON_UNSAFE_CLASS}]`)
const JSON_UNSAFE_ALL = new RegExp(`[${JSON_UNSAFE_CLASS}]`, 'g')

/**
 * In text that rewind has styled: any unsafe character except a line break, a tab and the
 * start of an SGR sequence (`\e[...m`, the only escape rewind's own output uses).
 */
const STYLED_UNSAFE = new RegExp(`\\u001b(?!\\[[0-9;]*m)|[${UNSAFE_CLASS.replace('\\u0000-\\u001f', '\\u0000-\\u0008\\u000b-\\u001a\\u001c-\\u001f')}]`)
const STYLED_UNSAFE_ALL = new RegExp(STYLED_UNSAFE.source, 'g')

const NAMED: Record<string, string> = { '\u001b': '\\e', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\u0007': '\\a', '\u0000': '\\0', '\f': '\\f', '\v': '\\v' }

const hex = (code: number, digits: number) => code.toString(16).padStart(digits, '0')

/** `\e`, `\n`, `\x7f`, `\x9b`, `\u202e`: how an unsafe character is shown. */
export function escapedCharacter(ch: string): string {
  const named = NAMED[ch]
  if (named !== undefined) return named
  const code = ch.charCodeAt(0)
  return code <= 0xff ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`
}

/** Whether `text` holds a character that must not reach a terminal as it is. */
export const hasUnsafe = (text: string): boolean => UNSAFE.test(text)

/**
 * Store text for human-readable output: every unsafe character, line breaks included, shown as
 * an escape (dim when `chalk` has colours), so the user still sees it is there.
 */
export function visible(text: string, chalk?: ChalkInstance): string {
  if (!UNSAFE.test(text)) return text
  const style = chalk !== undefined && chalk.level > 0 ? chalk.dim : undefined
  return text.replace(UNSAFE_ALL, (ch) => (style === undefined ? escapedCharacter(ch) : style(escapedCharacter(ch))))
}

/** JSON text for a terminal: what JSON.stringify leaves raw becomes a `\u` escape (still the same JSON). */
export function terminalJson(json: string): string {
  if (!JSON_UNSAFE.test(json)) return json
  return json.replace(JSON_UNSAFE_ALL, (ch) => `\\u${hex(ch.charCodeAt(0), 4)}`)
}

/**
 * The last guard over rewind's own human-readable output: its SGR colours, line breaks and tabs
 * pass, anything else unsafe is shown escaped. Renderers call `visible` on store text first;
 * this catches what a renderer missed (it cannot tell a stored line break from rewind's own).
 */
export function guardStyledText(text: string): string {
  if (!STYLED_UNSAFE.test(text)) return text
  return text.replace(STYLED_UNSAFE_ALL, escapedCharacter)
}
