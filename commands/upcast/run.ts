import { Args, Flags } from '@oclif/core'
import { RewindCommand } from '../../src/cli/base-command.js'
import { kafkaFlags, mappingFlags, skipInvalidFlag } from '../../src/cli/flags.js'
import { openFromFlags } from '../../src/cli/open-source.js'
import { UserError } from '../../src/errors.js'
import { parseDuration } from '../../src/events/time.js'
import { chalkFor } from '../../src/output/colors.js'
import { createEventPrinter, EVENT_FORMATS, type EventFormat } from '../../src/output/event-format.js'
import { OutputWriter } from '../../src/output/writer.js'
import { resolveSourceSpec, sourceKind } from '../../src/sources/open.js'
import { resolveRange } from '../../src/tail/range.js'
import { runTail, tailEvents, tailFilter } from '../../src/tail/tail.js'
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

  static args = { source: Args.string({ description: 'SQLite file, NDJSON file, kafka://HOST:PORT/TOPIC or @name', required: true }) }

  static flags = {
    upcasters: Flags.string({ description: 'Upcaster module (default: the source\'s or the config file\'s "upcasters")' }),
    from: Flags.string({ description: 'Start here: beginning, end, -N, a position, offset:N or a time (default: beginning; -10 with --follow)' }),
    until: Flags.string({ description: 'Stop here (inclusive): end, -N, a position, offset:N or a time (default: the end at start)', exclusive: ['follow'] }),
    follow: Flags.boolean({ char: 'f', description: 'Keep printing new events after the end (Ctrl-C stops)' }),
    interval: Flags.string({ description: 'With --follow: how often to poll a SQLite store or file (ms or a duration)', default: '250' }),
    type: Flags.string({ description: 'Only events of this type, after upcasting (glob; repeatable)', multiple: true }),
    stream: Flags.string({ description: 'Only these streams (glob; repeatable)', multiple: true }),
    where: Flags.string({ description: 'Only upcasted events where this expression holds, e.g. \'data.amount.value > 1000\'' }),
    limit: Flags.integer({ char: 'n', description: 'Stop after printing this many events', min: 0 }),
    format: Flags.string({ description: 'pretty (default on a terminal), ndjson (default when piped), json, template', options: [...EVENT_FORMATS] }),
    template: Flags.string({ description: 'Print each event with this template, e.g. \'{time} {type} {data.amount}\' (implies --format template)' }),
    partition: Flags.integer({ description: 'Kafka: only this partition (repeatable)', multiple: true, min: 0 }),
    'skip-invalid': skipInvalidFlag,
    ...kafkaFlags,
    ...mappingFlags,
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(UpcastRun)
    const config = await this.loadConfig(flags.config)
    const kind = sourceKind(resolveSourceSpec(args.source, config).uri) ?? 'sqlite'
    if (kind !== 'kafka' && flags.partition !== undefined) throw new UserError(`--partition is for Kafka topics; ${args.source} is a ${kind === 'file' ? 'file' : 'SQLite store'}`)
    const range = resolveRange(flags, kind)
    const filter = tailFilter({ types: flags.type, streams: flags.stream, where: flags.where, range })
    const interval = /^\d+$/.test(flags.interval.trim()) ? Number(flags.interval) : parseDuration(flags.interval)
    if (interval === undefined || interval < 10) throw new UserError(`--interval "${flags.interval}": expected milliseconds (>= 10) or a duration such as "500ms" or "1s"`)
    let format: EventFormat = (flags.format as EventFormat | undefined) ?? (flags.template !== undefined ? 'template' : process.stdout.isTTY ? 'pretty' : 'ndjson')
    if (this.jsonEnabled()) format = 'json'
    if (flags.template !== undefined && format !== 'template') throw new UserError(`--template prints with a template; it cannot be combined with --format ${format}`)
    const printer = createEventPrinter(format, { chalk: chalkFor(), template: flags.template, columns: process.stdout.isTTY ? process.stdout.columns : undefined })

    const opened = await openFromFlags(args.source, flags, config)
    // Ctrl-C stops reading; what was read is flushed and a JSON array is closed. A second one exits at once.
    const controller = new AbortController()
    let stopped = false
    const stop = () => {
      if (stopped) process.exit(130)
      stopped = true
      controller.abort()
    }
    process.removeAllListeners('SIGINT')
    process.on('SIGINT', stop)
    try {
      if (opened.upcastersFile === undefined) throw new UserError('no upcasters: pass --upcasters FILE (or set "upcasters" in the config file)')
      const upcasters = await loadUpcasters(opened.upcastersFile)
      const onWarning = (message: string) => this.warnUser(message)
      await runTail({
        events: tailEvents(opened.source, range, {
          read: { withMeta: true, skipInvalid: flags['skip-invalid'], onWarning },
          intervalMs: interval,
          signal: controller.signal,
          partitions: flags.partition,
          onWarning,
        }),
        upcasters,
        filter,
        limit: flags.limit,
        printer,
        out: new OutputWriter(),
        flushEachBatch: range.follow,
      })
    } finally {
      await opened.source.close()
    }
    if (stopped) this.exit(130)
  }
}
