import { Command, Errors, Flags, ux } from '@oclif/core'
import { loadConfig, type RewindConfig } from '../config.js'
import { isDebug, UserError } from '../errors.js'
import { exactJson } from '../output/exact-json.js'
import { printDiagnostic, printJson } from '../output/terminal.js'
import { guardStyledText } from '../events/terminal-text.js'
import { redactSecrets } from '../sources/redact-uri.js'
import { stdoutBegun } from '../output/writer.js'
import { type CommandShape, usageError } from './usage-error.js'

/**
 * Every rewind command: --json and --config, and one way to fail: a single line on stderr
 * naming what is wrong, exit 2 (1 for checks that found problems), a stack only with DEBUG=rewind.
 */
export abstract class RewindCommand extends Command {
  static enableJsonFlag = true

  static baseFlags = {
    config: Flags.string({
      description: 'Config file (default: nearest .rewindrc(.json), rewind.config.json or package.json "rewind")',
      helpGroup: 'GLOBAL',
    }),
  }

  private configPromise?: Promise<RewindConfig>

  protected loadConfig(file?: string): Promise<RewindConfig> {
    this.configPromise ??= loadConfig(file)
    return this.configPromise
  }

  /** Diagnostics go to stderr so stdout stays data. */
  protected note(message: string): void {
    printDiagnostic(redactSecrets(message))
  }

  /** Warnings on stderr; with --json they are in the document instead. */
  protected warnUser(message: string): void {
    if (!this.jsonEnabled()) printDiagnostic(`warning: ${redactSecrets(message)}`)
  }

  /**
   * The --json result, through the same terminal guard as every other JSON rewind prints, a BigInt
   * as its digits; when it cannot be printed (a cycle), an error document instead of nothing.
   */
  override logJson(json: unknown): void {
    let text: string
    try {
      // Colouring is for a terminal; oclif's tokenizer also overflows the stack on a 50 MB string.
      text = exactJson(json, 2) ?? 'null'
      if (process.stdout.isTTY) text = ux.colorizeJson(text, { pretty: false, theme: this.config.theme?.json })
    } catch (error) {
      const message = `cannot print the result as JSON: ${(error as Error).message.split('\n').map((part) => part.trim()).join(' ')}`
      printJson(`${JSON.stringify({ error: { message, exitCode: 2 } })}\n`)
      printDiagnostic(`rewind: ${message}`)
      process.exitCode = 2
      return
    }
    printJson(`${text}\n`)
  }

  /** This command's arguments and flags, for usage errors. */
  private shape(): CommandShape {
    const ctor = this.ctor as typeof RewindCommand
    const flags = { ...ctor.baseFlags, ...ctor.flags, ...(ctor.enableJsonFlag ? { json: { type: 'boolean' } } : {}) }
    return { bin: this.config.bin, id: this.id ?? '', args: ctor.args ?? {}, flags, argv: this.argv }
  }

  protected async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error
    // oclif's parse errors (unknown flag, missing argument): one line, the usage below it.
    if (!(error instanceof UserError) && error.oclif !== undefined) return this.catch(usageError(error, this.shape()))
    const known = error instanceof UserError
    const code = known ? error.exitCode : 2
    // One line whatever the message quotes from a store; only the caret under an expression follows it.
    const detail = known && error.detail !== undefined ? redactSecrets(error.detail) : undefined
    let message = known ? error.headline : error.message ?? String(error)
    if (!known && !isDebug()) message += ' (DEBUG=rewind shows the stack)'
    // The last guard: a URI with credentials may be quoted by any message, ours or a library's.
    message = redactSecrets(message)
    // A streamed --json array (--follow) is closed already: the error goes to stderr only.
    if (this.jsonEnabled() && !stdoutBegun.value) printJson(`${JSON.stringify({ error: { message: detail === undefined ? message : `${message}\n${detail}`, exitCode: code } })}\n`)
    printDiagnostic(`rewind: ${message}`)
    if (detail !== undefined) process.stderr.write(`${guardStyledText(detail)}\n`)
    if (isDebug() && error.stack) process.stderr.write(`${guardStyledText(redactSecrets(error.stack))}\n`)
    this.exit(code)
  }
}
