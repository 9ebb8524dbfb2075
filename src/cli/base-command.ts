import { Command, Errors, Flags } from '@oclif/core'
import { loadConfig, type RewindConfig } from '../config.js'
import { isDebug, UserError } from '../errors.js'
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
    process.stderr.write(`${redactSecrets(message)}\n`)
  }

  /** Warnings on stderr; with --json they are in the document instead. */
  protected warnUser(message: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`warning: ${redactSecrets(message)}\n`)
  }

  protected async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error
    const known = error instanceof UserError
    const parseError = !known && error.oclif !== undefined
    const code = known ? error.exitCode : 2
    let message = error.message ?? String(error)
    if (parseError) message = message.replace(/^Error:\s*/, '').split('\n').filter((l) => l.trim() !== '').join('; ')
    if (parseError && !/--help/.test(message)) message += `; see rewind ${this.id ?? ''} --help`.replace('  ', ' ')
    if (!known && !parseError && !isDebug()) message += ' (DEBUG=rewind shows the stack)'
    // The last guard: a URI with credentials may be quoted by any message, ours or a library's.
    message = redactSecrets(message)
    if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify({ error: { message, exitCode: code } })}\n`)
    process.stderr.write(`rewind: ${message}\n`)
    if (isDebug() && error.stack) process.stderr.write(`${redactSecrets(error.stack)}\n`)
    this.exit(code)
  }
}
