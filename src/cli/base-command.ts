import { Command, Errors, Flags, ux } from '@oclif/core'
import { loadConfig, type RewindConfig } from '../config.js'
import { isDebug, UserError } from '../errors.js'
import { exactJson } from '../output/exact-json.js'
import { printDiagnostic, printJson } from '../output/terminal.js'
import { guardStyledText } from '../events/terminal-text.js'
import { redactSecrets } from '../sources/redact-uri.js'

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
   * oclif's --json output, through the same terminal guard as every other JSON rewind prints; a
   * BigInt as its digits; a value JSON cannot hold gives an error document, not a fragment.
   */
  override logJson(json: unknown): void {
    let text: string
    try {
      text = exactJson(json, 2) ?? 'null'
    } catch (error) {
      const message = `cannot print the result as JSON: ${(error as Error).message.split('\n')[0]}`
      text = JSON.stringify({ error: { message, exitCode: 2 } }, null, 2)
      printDiagnostic(`rewind: ${message}`)
      process.exitCode = 2
    }
    printJson(`${ux.colorizeJson(text, { pretty: false, theme: this.config.theme?.json })}\n`)
  }

  protected async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error
    const known = error instanceof UserError
    const parseError = !known && error.oclif !== undefined
    const code = known ? error.exitCode : 2
    // One line whatever the message quotes from a store; only the caret under an expression follows it.
    const detail = known ? error.detail : undefined
    let message = known ? error.headline : error.message ?? String(error)
    if (parseError) message = message.replace(/^Error:\s*/, '').split('\n').filter((l) => l.trim() !== '').join('; ')
    if (parseError && !/--help/.test(message)) message += `; see rewind ${this.id ?? ''} --help`.replace('  ', ' ')
    if (!known && !parseError && !isDebug()) message += ' (DEBUG=rewind shows the stack)'
    // The last guard: a URI with credentials may be quoted by any message, ours or a library's.
    message = redactSecrets(message)
    if (this.jsonEnabled()) printJson(`${JSON.stringify({ error: { message: detail === undefined ? message : `${message}\n${detail}`, exitCode: code } })}\n`)
    printDiagnostic(`rewind: ${message}`)
    if (detail !== undefined) process.stderr.write(`${guardStyledText(detail)}\n`)
    if (isDebug() && error.stack) process.stderr.write(`${guardStyledText(redactSecrets(error.stack))}\n`)
    this.exit(code)
  }
}
