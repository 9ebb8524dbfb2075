import { Args, Flags } from '@oclif/core'
import { resolveAsOf } from '../src/cli/as-of.js'
import { RewindCommand } from '../src/cli/base-command.js'
import { fileFlags, kafkaFlags, mappingFlags, reducerFlag, skipInvalidFlag, sourceArg, upcastersFlag } from '../src/cli/flags.js'
import { requireRegularFile } from '../src/sources/file-source.js'
import { loadUserCode, openFromFlags } from '../src/cli/open-source.js'
import { UserError } from '../src/errors.js'
import { foldStream, type StateResult } from '../src/fold/fold-stream.js'
import { chalkFor } from '../src/output/colors.js'
import { renderState } from '../src/output/state-view.js'
import { printText } from '../src/output/terminal.js'

export default class State extends RewindCommand {
  static summary = "Rebuild one aggregate's state, at any time, version or position, with a trace or blame"

  static description = `Folds the events of STREAM with the reducer (default: merge each event's data into the state).
--trace prints every event and the fields it changed (before -> after); --blame names the event that last set each field.
--stop-when stops at the first event after which the expression holds; it sees "state" and "event", e.g. "state.balance < 0".
Warnings (duplicate eventId, version gaps, time going backwards, types the reducer ignores) go to stderr and into "warnings" with --json.`

  static examples = [
    '<%= config.bin %> state bank.db acc-07',
    '<%= config.bin %> state bank.db acc-07 --at "2026-11-03 12:00" --reducer reducer.ts',
    '<%= config.bin %> state bank.db acc-07 --trace',
    '<%= config.bin %> state bank.db acc-07 --stop-when "state.balance > 1000 && event.type == \\"MoneyDeposited\\""',
    '<%= config.bin %> state bank.db acc-07 --version 12 --json | jq .state.balance',
    '<%= config.bin %> state bank.db acc-07 -i',
  ]

  static args = {
    source: sourceArg,
    stream: Args.string({ description: 'Stream (aggregate) id', required: true }),
  }

  static flags = {
    at: Flags.string({ description: 'Rebuild as of this time (ISO-8601, epoch, "now", "-2h", "90m ago")', exclusive: ['version', 'position'] }),
    version: Flags.integer({ description: 'Rebuild up to this stream version', exclusive: ['at', 'position'] }),
    position: Flags.string({ description: 'Rebuild up to this global position', exclusive: ['at', 'version'] }),
    reducer: reducerFlag,
    upcasters: upcastersFlag,
    trace: Flags.boolean({ description: 'Print each event and the fields it changed (before -> after)' }),
    blame: Flags.boolean({ description: 'Print each field of the final state and the event that last set it' }),
    'stop-when': Flags.string({ description: 'Stop after the first event where this holds (sees state and event)' }),
    interactive: Flags.boolean({ char: 'i', description: 'Full-screen time-travel view: step through the events, search, break on an expression (needs a terminal)', exclusive: ['trace', 'blame'] }),
    'skip-invalid': skipInvalidFlag,
    ...mappingFlags,
    ...fileFlags,
    ...kafkaFlags,
  }

  async run(): Promise<StateResult> {
    const { args, flags } = await this.parse(State)
    if (flags.interactive && (this.jsonEnabled() || !process.stdin.isTTY || !process.stdout.isTTY)) {
      throw new UserError(`--interactive needs a terminal${this.jsonEnabled() ? ' and cannot be used with --json' : ''}; use --trace to print every event and the fields it changed`)
    }
    const asOf = resolveAsOf(flags)
    const stopWhen = flags['stop-when'] === undefined ? undefined : (await import('../src/events/expression.js')).compileExpression(flags['stop-when'], { allowedRoots: ['state', 'event'] })
    const config = await this.loadConfig(flags.config)
    const opened = await openFromFlags(args.source, flags, config)
    try {
      const { reducer, upcasters } = await loadUserCode(opened)
      if (flags.interactive) {
        requireRegularFile(opened.source, 'state -i')
        // Loaded only here so that plain `state` never loads ink or React.
        const { runInteractiveState } = await import('../src/ui/state-app.js')
        return await runInteractiveState({ source: opened.source, stream: args.stream, reducer, upcasters, files: { reducer: opened.reducerFile, upcasters: opened.upcastersFile }, recipe: opened.recipe, ...asOf, stopWhen: flags['stop-when'], skipInvalid: flags['skip-invalid'], onWarning: (message) => this.warnUser(message) })
      }
      const result = await foldStream(opened.source, args.stream, {
        reducer,
        upcasters,
        at: asOf.at,
        version: asOf.version,
        position: asOf.position,
        stopWhen: stopWhen === undefined ? undefined : (scope) => stopWhen.test(scope),
        trace: flags.trace,
        blame: flags.blame,
        skipInvalid: flags['skip-invalid'],
      })
      if (!this.jsonEnabled()) {
        printText(`${renderState(result, chalkFor())}\n`)
        for (const warning of result.warnings) this.warnUser(warning)
      }
      return result
    } finally {
      await opened.source.close()
    }
  }
}
