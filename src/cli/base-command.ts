import { Command, Errors, Flags } from '@oclif/core'
import { loadConfig, type RewindConfig } from '../config.js'
import { isDebug, UserError } from '../errors.js'
import { exactJson } from '../output/exact-json.js'

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
    process.stderr.write(`${message}\n`)
  }

  /** Warnings on stderr; with --json they are in the document instead. */
  protected warnUser(message: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`warning: ${message}\n`)
  }

  /** The --json document: a BigInt as its digits; a value JSON cannot hold gives an error document, not a fragment. */
  protected logJson(json: unknown): void {
    let text: string | undefined
    try {
      text = exactJson(json, 2)
    } catch (error) {
      const message = `cannot print the result as JSON: ${(error as Error).message.split('\n')[0]}`
      text = JSON.stringify({ error: { message, exitCode: 2 } }, null, 2)
      process.stderr.write(`rewind: ${message}\n`)
      process.exitCode = 2
    }
    process.stdout.write(`${text ?? 'null'}\n`)
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
    if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify({ error: { message, exitCode: code } })}\n`)
    process.stderr.write(`rewind: ${message}\n`)
    if (isDebug() && error.stack) process.stderr.write(`${error.stack}\n`)
    this.exit(code)
  }
}
