import { Args, Flags } from '@oclif/core'
import { RewindCommand } from '../src/cli/base-command.js'
import { kafkaFlags, mappingFlags, skipInvalidFlag } from '../src/cli/flags.js'
import { openFromFlags } from '../src/cli/open-source.js'
import { UserError } from '../src/errors.js'
import type { Event } from '../src/events/event.js'
import { parseDuration } from '../src/events/time.js'
import { chalkFor } from '../src/output/colors.js'
import { createEventPrinter, EVENT_FORMATS, type EventFormat } from '../src/output/event-format.js'
import { OutputWriter } from '../src/output/writer.js'
import { sourceKind, resolveSourceSpec } from '../src/sources/open.js'
import { resolveRange } from '../src/tail/range.js'
import { runTail, tailEvents, tailFilter } from '../src/tail/tail.js'
import { loadUpcasters } from '../src/upcast/load-upcasters.js'

/** --interval: milliseconds, or a duration such as "1s". */
function parseInterval(text: string): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text) : parseDuration(text)
  if (value === undefined || value < 10) throw new UserError(`--interval "${text}": expected milliseconds (>= 10) or a duration such as "500ms" or "1s"`)
  return value
}

export default class Tail extends RewindCommand {
  static summary = 'Print events as they are stored: a range, filters, and --follow for new ones'

  static description = `Prints the events of a SQLite store, an NDJSON file or a Kafka topic, oldest first.
Without --follow it stops at the end captured when it started (like kcat -e); --follow keeps printing new events
(SQLite is polled every --interval; it works while another process writes in WAL mode). --follow without --from
starts with the last 10 events, like tail -f (per partition on Kafka).

--from/--until take: beginning, end, -N (the last N; per partition on Kafka), a position (SQLite/NDJSON: 1234 or
position:1234), offset:N (Kafka, with --partition), or a time (ISO-8601, "now", "-2h", "90m ago", time:EPOCH).

Output: pretty (one aligned line per event) on a terminal, ndjson (one event per line) when piped, json (an array),
or --template with tokens {time} {type} {stream} {version} {position} {schemaVersion} {data} {data.PATH} {meta}
{meta.PATH} {topic} {partition} {offset} {key} {headers.NAME}, and \\t \\n.

--where sees the event's fields: type, stream, data, meta, time, version, position, schemaVersion, kafka.`

  static examples = [
    '<%= config.bin %> tail bank.db --from -20',
    '<%= config.bin %> tail bank.db -f --type "Money*"',
    '<%= config.bin %> tail bank.db --where \'data.amount > 1000 && meta.correlationId == "req-7"\' | jq .data',
    '<%= config.bin %> tail bank.db --from 2026-11-03T09:00 --until 2026-11-03T10:00 --template \'{time}\\t{stream}\\t{data.amount}\'',
    '<%= config.bin %> tail kafka://localhost:9092/orders --from -5 --format pretty',
    '<%= config.bin %> tail kafka://localhost:9092/orders --partition 2 --from offset:1200 -n 10',
    'KAFKA_BROKERS=localhost:9092 <%= config.bin %> tail kafka:///orders -f --stream-path data.orderId',
  ]

  static args = { source: Args.string({ description: 'SQLite file, NDJSON file, kafka://HOST:PORT/TOPIC or @name', required: true }) }

  static flags = {
    from: Flags.string({ description: 'Start here: beginning, end, -N, a position, offset:N or a time (default: beginning; -10 with --follow)' }),
    until: Flags.string({ description: 'Stop here (inclusive): end, -N, a position, offset:N or a time (default: the end at start)', exclusive: ['follow'] }),
    follow: Flags.boolean({ char: 'f', description: 'Keep printing new events after the end (Ctrl-C stops)' }),
    interval: Flags.string({ description: 'With --follow: how often to poll a SQLite store or file (ms or a duration)', default: '250' }),
    type: Flags.string({ description: 'Only events of this type (glob; repeatable)', multiple: true }),
    stream: Flags.string({ description: 'Only these streams (glob; repeatable)', multiple: true }),
    where: Flags.string({ description: 'Only events where this expression holds, e.g. \'data.amount > 1000\'' }),
    limit: Flags.integer({ char: 'n', description: 'Stop after printing this many events', min: 0 }),
    format: Flags.string({ description: 'pretty (default on a terminal), ndjson (default when piped), json, template', options: [...EVENT_FORMATS] }),
    template: Flags.string({ description: 'Print each event with this template, e.g. \'{time} {type} {data.amount}\' (implies --format template)' }),
    upcasters: Flags.string({ description: 'Upcaster module: lift events to their latest schema before filtering and printing' }),
    partition: Flags.integer({ description: 'Kafka: only this partition (repeatable)', multiple: true, min: 0 }),
    group: Flags.string({ description: 'Kafka: start from this consumer group\'s committed offsets and commit what was printed' }),
    'skip-invalid': skipInvalidFlag,
    ...kafkaFlags,
    ...mappingFlags,
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Tail)
    const config = await this.loadConfig(flags.config)
    const kind = sourceKind(resolveSourceSpec(args.source, config).uri) ?? 'sqlite'
    if (kind !== 'kafka' && (flags.partition !== undefined || flags.group !== undefined)) {
      throw new UserError(`--${flags.group === undefined ? 'partition' : 'group'} is for Kafka topics; ${args.source} is a ${kind === 'file' ? 'file' : 'SQLite store'}`)
    }
    const range = resolveRange(flags, kind)
    const filter = tailFilter({ types: flags.type, streams: flags.stream, where: flags.where, range })
    const intervalMs = parseInterval(flags.interval)
    let format: EventFormat = (flags.format as EventFormat | undefined) ?? (flags.template !== undefined ? 'template' : process.stdout.isTTY ? 'pretty' : 'ndjson')
    if (this.jsonEnabled()) format = 'json'
    if (flags.template !== undefined && format !== 'template') throw new UserError(`--template prints with a template; it cannot be combined with --format ${format}`)
    const printer = createEventPrinter(format, { chalk: chalkFor(), template: flags.template, columns: process.stdout.isTTY ? process.stdout.columns : undefined })
    const upcasters = await loadUpcasters(flags.upcasters)

    // Ctrl-C (and SIGTERM) stop reading; what was read is flushed, a JSON array is closed,
    // Kafka connections are closed. A second Ctrl-C exits at once.
    const controller = new AbortController()
    let stoppedBy: NodeJS.Signals | undefined
    const stop = (signal: NodeJS.Signals) => {
      if (stoppedBy !== undefined) process.exit(130)
      stoppedBy = signal
      controller.abort()
    }
    process.removeAllListeners('SIGINT')
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)

    const { source } = await openFromFlags(args.source, flags, config)
    try {
      const read = {
        withMeta: true,
        skipInvalid: flags['skip-invalid'],
        onWarning: (message: string) => this.warnUser(message),
      }
      const events = tailEvents(source, range, {
        read,
        intervalMs,
        signal: controller.signal,
        partitions: flags.partition,
        group: flags.group,
        fromCommitted: flags.group !== undefined && flags.from === undefined,
        onWarning: read.onWarning,
      })
      let afterBatch: ((batch: Event[]) => Promise<void>) | undefined
      if (flags.group !== undefined) {
        const group = flags.group
        const { commitConsumed } = await import('../src/tail/kafka-tail.js')
        afterBatch = (batch) => commitConsumed(source, group, batch)
      }
      await runTail({
        events,
        upcasters,
        filter,
        limit: flags.limit,
        printer,
        out: new OutputWriter(),
        flushEachBatch: range.follow,
        afterBatch,
      })
    } finally {
      await source.close()
    }
    if (stoppedBy !== undefined) this.exit(stoppedBy === 'SIGINT' ? 130 : 143)
  }
}
