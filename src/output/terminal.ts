import { guardStyledText, terminalJson, visible } from '../events/terminal-text.js'

/**
 * What a command writes, by kind. Text is guarded wherever it goes (a CI log renders escapes
 * too); JSON keeps its bytes for a pipe (`| jq` sees what was stored) and escapes for a terminal.
 */
export type OutputKind = 'text' | 'json'

export function forTerminal(kind: OutputKind, text: string, tty: boolean): string {
  if (kind === 'text') return guardStyledText(text)
  return tty ? terminalJson(text) : text
}

/** Human-readable output on stdout. */
export function printText(text: string, stream: NodeJS.WritableStream = process.stdout): void {
  stream.write(guardStyledText(text))
}

/** A JSON document (or NDJSON lines) on stdout. */
export function printJson(text: string, stream: NodeJS.WritableStream = process.stdout): void {
  stream.write(forTerminal('json', text, (stream as NodeJS.WriteStream).isTTY === true))
}

/** One diagnostic line on stderr: whatever store text it quotes, it stays one line. */
export function printDiagnostic(line: string, stream: NodeJS.WritableStream = process.stderr): void {
  stream.write(`${visible(line)}\n`)
}
