import { Flags } from '@oclif/core'
import { RewindCommand } from '../../src/cli/base-command.js'
import { repeatable, sourceArg } from '../../src/cli/flags.js'
import { openFromFlags } from '../../src/cli/open-source.js'
import { isStreamSource, stopOnSignals, stopWhenReaderGoes, tailOutput, tailFlags, tailPlan, tailSourceKind } from '../../src/cli/tail-flags.js'
import { UserError } from '../../src/errors.js'
import { outputKindOf } from '../../src/output/event-format.js'
import { runTail, tailEvents } from '../../src/tail/tail.js'
import { loadUpcasters } from '../../src/upcast/load-upcasters.js'

export default class UpcastRun extends RewindCommand {
  static summary = 'Print events as the upcasters make them: a preview of what reducers and projections will see'

  static description = `Reads SOURCE like "rewind tail" (same range, filter and format flags) and lifts every event through the upcasters
to the latest version of its type before filtering and printing, so --type and --where see the upcasted event.
An upcaster that throws stops the run with the event's position (exit 2); "rewind upcast check --against SOURCE" lists every failure instead.`

  static examples = [
    '<%= config.bin %> upcast run bank.db --upcasters upcasters.ts --from -20',
    '<%= config.bin %> upcast run @bank --type MoneyDeposited --where "data.amount.currency == \\"USD\\"" | jq .data',
    '<%= config.bin %> upcast run bank.db --upcasters upcasters.ts --template \'{position} {type} v{schemaVersion} {data}\'',
  ]

  static args = { source: sourceArg }

  static flags = {
    ...tailFlags,
    upcasters: Flags.string({ description: 'Upcaster module (default: the source\'s or the config file\'s "upcasters")' }),
    type: Flags.string({ description: 'Only events of this type, after upcasting (glob; repeatable)', ...repeatable }),
    where: Flags.string({ description: 'Only upcasted events where this expression holds, e.g. \'data.amount.value > 1000\'' }),
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(UpcastRun)
    const config = await this.loadConfig(flags.config)
    const kind = tailSourceKind(args.source, config, { partition: flags.partition })
    const { range, filter, intervalMs, printer } = tailPlan(flags, kind, this.jsonEnabled(), isStreamSource(args.source, config))
    const opened = await openFromFlags(args.source, flags, config)
    const { signal, stoppedBy, stop } = stopOnSignals()
    let readerGone = false
    const unwatch = stopWhenReaderGoes(range.follow, () => {
      readerGone = true
      stop()
    })
    const output = tailOutput(outputKindOf(printer), this.jsonEnabled(), range.follow)
    try {
      if (opened.upcastersFile === undefined) throw new UserError('no upcasters: pass --upcasters FILE (or set "upcasters" in the config file)')
      const upcasters = await loadUpcasters(opened.upcastersFile)
      const onWarning = (message: string) => this.warnUser(message)
      await runTail({
        events: tailEvents(opened.source, range, {
          read: { withMeta: true, skipInvalid: flags['skip-invalid'], onWarning },
          intervalMs,
          signal,
          partitions: flags.partition,
          onWarning,
        }),
        upcasters,
        filter,
        limit: flags.limit,
        printer,
        out: output.out,
        flushEachBatch: range.follow,
      })
      await output.done()
    } finally {
      output.drop()
      unwatch()
      await opened.source.close()
    }
    // Exit now: a pipe we read may still have a read pending that would keep the process up.
    if (readerGone) this.exit(0)
    const stopped = stoppedBy()
    if (stopped !== undefined) this.exit(stopped === 'SIGINT' ? 130 : 143)
  }
}
