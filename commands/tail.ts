import { cpus, type CpuInfo } from 'node:os'
import { Flags } from '@oclif/core'
import { RewindCommand } from '../src/cli/base-command.js'
import { sourceArg } from '../src/cli/flags.js'
import { openFromFlags } from '../src/cli/open-source.js'
import { isStreamSource, stopOnSignals, stopWhenReaderGoes, tailOutput, tailFlags, tailPlan, tailSourceKind } from '../src/cli/tail-flags.js'
import type { Event } from '../src/events/event.js'
import type { FileSource } from '../src/sources/file-source.js'
import type { KafkaSource } from '../src/sources/kafka/kafka-source.js'
import type { SqliteSource } from '../src/sources/sqlite/sqlite-source.js'
import type { TailReadOptions } from '../src/tail/options.js'
import type { TailRange } from '../src/tail/range.js'
import type { OutputWriter } from '../src/output/writer.js'
import { outputKindOf } from '../src/output/event-format.js'
import { runTail, tailEvents, type TailFilterOptions } from '../src/tail/tail.js'
import { loadUpcasters } from '../src/upcast/load-upcasters.js'
import { UserError } from '../src/errors.js'

export default class Tail extends RewindCommand {
  static summary = 'Print events as they are stored: a range, filters, and --follow for new ones'

  static description = `Prints the events of a SQLite store, an NDJSON file or a Kafka topic, oldest first.
Without --follow it stops at the end captured when it started (like kcat -e); --follow keeps printing new events
(SQLite is polled every --interval; it works while another process writes in WAL mode). --follow without --from
starts with the last 10 events, like tail -f (per partition on Kafka). NDJSON from - (standard input), a pipe,
<(...) or a device is read as it comes, once, until it closes (--follow starts at its beginning). A line longer
than --max-line-bytes (64MiB) is an error naming file and line.

--from/--until take: beginning, end, -N (the last N; per partition on Kafka), a position (SQLite/NDJSON: 1234 or
position:1234), offset:N (Kafka, with --partition), or a time (ISO-8601, "now", "-2h", "90m ago", time:EPOCH).

Output: pretty (one aligned line per event) on a terminal, ndjson (one event per line) when piped, json (an array;
with --json it is printed once whole, or only {"error": ...}),
or --template with tokens {time} {type} {stream} {version} {position} {schemaVersion} {data} {data.PATH} {meta}
{meta.PATH} {topic} {partition} {offset} {key} {headers.NAME}, and \\t \\n.

--where sees the event's fields: type, stream, data, meta, time, version, position, schemaVersion, kafka.

A whole SQLite range printed as NDJSON (no filter, --limit, --follow or --upcasters) copies each data and meta
JSON text as stored, after checking it: big numbers keep their digits. A big Kafka read or SQLite range printed as
NDJSON is printed by one more thread per idle core (at most 4 in all); REWIND_THREADS=N sets the number of threads.`

  static examples = [
    '<%= config.bin %> tail bank.db --from -20',
    '<%= config.bin %> tail bank.db -f --type "Money*"',
    '<%= config.bin %> tail bank.db --where \'data.amount > 1000 && meta.correlationId == "req-7"\' | jq .data',
    '<%= config.bin %> tail bank.db --from 2026-11-03T09:00 --until 2026-11-03T10:00 --template \'{time}\\t{stream}\\t{data.amount}\'',
    '<%= config.bin %> tail @bank --where "data.amount.value > 400"        # the config file\'s upcasters lift old events first',
    '<%= config.bin %> tail @bank --stored --type MoneyDeposited           # as stored, no upcasters',
    '<%= config.bin %> tail kafka://localhost:9092/orders --from -5 --format pretty',
    '<%= config.bin %> tail kafka://localhost:9092/orders --partition 2 --from offset:1200 -n 10',
    'KAFKA_BROKERS=localhost:9092 <%= config.bin %> tail kafka:///orders -f --stream-path data.orderId',
  ]

  static args = { source: sourceArg }

  static flags = {
    ...tailFlags,
    upcasters: Flags.string({ description: 'Upcaster module: lift events to their latest schema before filtering and printing (default: the config file\'s "upcasters")' }),
    stored: Flags.boolean({ description: 'Print events as stored: no upcasters, not even the config file\'s' }),
    group: Flags.string({ description: 'Kafka: start from this consumer group\'s committed offsets and commit what was printed' }),
  }

  async run(): Promise<void> {
    const cpusAtStart = cpus()
    const { args, flags } = await this.parse(Tail)
    const config = await this.loadConfig(flags.config)
    const kind = tailSourceKind(args.source, config, { partition: flags.partition, group: flags.group })
    const { range, filter, intervalMs, printer } = tailPlan(flags, kind, this.jsonEnabled(), isStreamSource(args.source, config))
    if (flags.stored && flags.upcasters !== undefined) throw new UserError('--stored prints events as stored; it cannot be combined with --upcasters')
    const { signal, stoppedBy, stop } = stopOnSignals()
    let readerGone = false
    const unwatch = stopWhenReaderGoes(range.follow, () => {
      readerGone = true
      stop()
    })

    const { source, upcastersFile } = await openFromFlags(args.source, flags, config)
    // One rule for every command: the upcasters of --upcasters or the config file lift events first.
    const upcasters = await loadUpcasters(flags.stored ? undefined : upcastersFile)
    // --group commits what was printed: that output cannot be held back.
    const output = tailOutput(outputKindOf(printer), this.jsonEnabled(), range.follow || flags.group !== undefined)
    try {
      const read = {
        withMeta: true,
        skipInvalid: flags['skip-invalid'],
        onWarning: (message: string) => this.warnUser(message),
      }
      const readOptions = {
        read,
        intervalMs,
        signal,
        partitions: flags.partition,
        group: flags.group,
        fromCommitted: flags.group !== undefined && flags.from === undefined,
        onWarning: read.onWarning,
      }
      const { out } = output
      // A Kafka read to the end as NDJSON: each fetched unit is printed on its own (possibly by a
      // worker thread), in order. A whole SQLite range as NDJSON: lines made from the stored JSON
      // text, by worker threads when it is big. Everything else streams events through runTail.
      const boundedNdjson = printer.format === 'ndjson' && !range.follow && flags.limit === undefined && upcasters.size === 0
      if (source.kind === 'kafka' && boundedNdjson && flags.group === undefined) {
        await this.kafkaInThreads(source as KafkaSource, range, readOptions, { types: flags.type, streams: flags.stream, where: flags.where, range }, out, cpusAtStart)
      } else if (source.kind === 'sqlite' && boundedNdjson && filter === undefined) {
        const { printSqliteNdjson } = await import('../src/tail/sqlite-ndjson.js')
        await printSqliteNdjson(source as SqliteSource, { range, out, signal, skipInvalid: flags['skip-invalid'], onWarning: read.onWarning, cpusAtStart })
      } else {
        const events = tailEvents(source, range, readOptions)
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
          out,
          // A pipe's events show as they come, like followed ones.
          flushEachBatch: range.follow || (source.kind === 'file' && (source as FileSource).stream),
          afterBatch,
        })
      }
      await output.done()
    } finally {
      output.drop()
      unwatch()
      await source.close()
    }
    // Exit now: a pipe we read may still have a read pending that would keep the process up.
    if (readerGone) this.exit(0)
    const stopped = stoppedBy()
    if (stopped !== undefined) this.exit(stopped === 'SIGINT' ? 130 : 143)
  }

  /** Decodes, filters and prints a Kafka read as NDJSON, with worker threads when it is big enough. */
  private async kafkaInThreads(source: KafkaSource, range: TailRange, options: TailReadOptions, filter: TailFilterOptions, out: OutputWriter, cpusAtStart: CpuInfo[]): Promise<void> {
    const [{ kafkaTailRanges }, { renderInThreads, renderThreads }] = await Promise.all([import('../src/tail/kafka-tail.js'), import('../src/sources/kafka/render-pool.js')])
    const { ranges, maxWaitMs } = await kafkaTailRanges(source, range, options)
    const threads = renderThreads(ranges, cpusAtStart)
    await renderInThreads(source, { ranges, maxWaitMs, signal: options.signal, threads, out, onWarning: options.onWarning, filter })
    await out.flush()
  }
}
