/**
 * Errors a user can act on. Commands turn these into one line on stderr and exit 2
 * (or the given code); anything else is a bug and keeps its stack under DEBUG=rewind.
 */
export class UserError extends Error {
  readonly exitCode: number
  readonly suggestions: string[]
  /** The one line printed as `rewind: ...`; `message` adds `detail`. */
  readonly headline: string
  /** Lines after the headline that point into the user's own input (an expression's caret). */
  readonly detail?: string

  constructor(message: string, options: { exitCode?: number; suggestions?: string[]; cause?: unknown; detail?: string } = {}) {
    super(options.detail === undefined ? message : `${message}\n${options.detail}`, options.cause === undefined ? undefined : { cause: options.cause })
    this.headline = message
    this.detail = options.detail
    this.name = 'UserError'
    this.exitCode = options.exitCode ?? 2
    this.suggestions = options.suggestions ?? []
  }
}

export const isDebug = (): boolean => /(^|,)\s*(rewind|\*)\s*(,|$)/.test(process.env.DEBUG ?? '')
