import { Args, Flags } from '@oclif/core'
import { RewindCommand } from '../src/cli/base-command.js'
import { kafkaFlags, mappingFlags, repeatable } from '../src/cli/flags.js'
import { openFromFlags } from '../src/cli/open-source.js'
import { UserError } from '../src/errors.js'
import { parseDuration } from '../src/events/time.js'
import { customCheckpointTable } from '../src/lag/checkpoints.js'
import { lagJson, type AssessedRow, type LagJson, type LagMeasurement } from '../src/lag/report.js'
import { SqliteLag } from '../src/lag/sqlite-lag.js'
import { parseThreshold, type Thresholds } from '../src/lag/status.js'
import { assessOnce, LagWatcher, watchLoop } from '../src/lag/watch.js'
import { chalkFor, colorEnabled } from '../src/output/colors.js'
import { compactJson } from '../src/output/json.js'
import { renderLagLine } from '../src/output/lag-line.js'
import { renderLagTable } from '../src/output/lag-table.js'
import { resolveSourceSpec, sourceKind } from '../src/sources/open.js'
import { redactSecrets, redactUri } from '../src/sources/redact-uri.js'
import { openDatabaseReadOnly, SqliteSource } from '../src/sources/sqlite/sqlite-source.js'
import { printText, printJson } from '../src/output/terminal.js'

const { 'stream-path': _streamPath, ...kafkaConnectionFlags } = kafkaFlags

interface LagProbe {
  measure(now?: number): Promise<LagMeasurement>
  close(): Promise<void>
}

export default class Lag extends RewindCommand {
  static summary = 'Show how far each projection (SQLite checkpoint) or consumer group (Kafka) is behind, in events and seconds'

  static description = `SQLite: reads the checkpoint tables of Emmett (emt_processors, emt_subscriptions), Python eventsourcing (tracking), Marten-style mt_event_progression, or the table given by --checkpoints. Per checkpoint: its position, the head, lagEvents (events after the checkpoint, counted exactly) and lagSeconds (age of the oldest unprocessed event; 0 when caught up).
Kafka (kafka://BROKERS[/TOPIC]): per consumer group, topic and partition the committed offset, the log-end offset, the lag (log-end minus committed; "-" without a committed offset) and the age of the first unconsumed message.
--warn and --fail take a number of events (1000) or a duration (30s, 5m) and set the status; exit 1 when a row is over --fail.
--watch refreshes every --interval: on a terminal a live table with the trend (events/s processed, lag growing or shrinking, ETA) and a status: OK (caught up or shrinking), WARN (lag growing over the window, or over --warn), STALLED (checkpoint not moving while lag > 0), STOPPED (checkpoint not updated for longer than the window, or no active Kafka consumer), FAIL (over --fail). Without a terminal, one line per interval. Ctrl-C ends it (exit 0).`

  static examples = [
    '<%= config.bin %> lag bank.db',
    '<%= config.bin %> lag @bank --fail 1000 --warn 30s',
    '<%= config.bin %> lag store.db --checkpoints projection_offsets --name-column projection --position-column last_event',
    '<%= config.bin %> lag @bank --watch --interval 1s',
    '<%= config.bin %> lag kafka://localhost:9092/orders --group billing --json',
    '<%= config.bin %> lag kafka://localhost:9092 --fail 5m',
  ]

  static args = { source: Args.string({ description: 'SQLite store, kafka://BROKERS[/TOPIC] or @name', required: true }) }

  static flags = {
    ...mappingFlags,
    checkpoints: Flags.string({ description: 'SQLite: the table holding checkpoints (default: the known conventions)', helpGroup: 'CHECKPOINTS' }),
    'name-column': Flags.string({ description: 'With --checkpoints: the column naming the projection', helpGroup: 'CHECKPOINTS' }),
    'position-column': Flags.string({ description: 'With --checkpoints: the column holding the checkpoint position; otherwise the events table\'s global-order column', helpGroup: 'CHECKPOINTS' }),
    'updated-column': Flags.string({ description: 'With --checkpoints: the column holding when the checkpoint was written', helpGroup: 'CHECKPOINTS' }),
    'checkpoint-db': Flags.string({ description: 'SQLite file holding the checkpoint tables, when not the store itself', helpGroup: 'CHECKPOINTS' }),
    projection: Flags.string({ description: 'SQLite: only these checkpoints (glob; repeatable)', ...repeatable }),
    group: Flags.string({ description: 'Kafka: only these consumer groups (glob; repeatable)', ...repeatable }),
    warn: Flags.string({ description: 'WARN above this lag: events (1000) or age of the oldest unprocessed event (30s, 5m)' }),
    fail: Flags.string({ description: 'FAIL (exit 1) above this lag: events (1000) or a duration (30s, 5m)' }),
    watch: Flags.boolean({ description: 'Refresh every --interval with the trend and a status per row; Ctrl-C to stop' }),
    interval: Flags.string({ description: 'With --watch: time between measurements', default: '2s' }),
    window: Flags.string({ description: 'With --watch: the window the trend and status rules look at (default: 10 intervals)' }),
    ...kafkaConnectionFlags,
  }

  async run(): Promise<LagJson | undefined> {
    const { args, flags } = await this.parse(Lag)
    const thresholds: Thresholds = {
      warn: flags.warn === undefined ? undefined : parseThreshold(flags.warn, '--warn'),
      fail: flags.fail === undefined ? undefined : parseThreshold(flags.fail, '--fail'),
    }
    const intervalMs = parseWatchDuration(flags.interval, '--interval')
    const windowMs = flags.window === undefined ? 10 * intervalMs : parseWatchDuration(flags.window, '--window')
    if (!flags.watch && (flags.window !== undefined || flags.interval !== '2s')) throw new UserError('--interval and --window go with --watch')
    const config = await this.loadConfig(flags.config)
    const probe = await this.openProbe(args.source, flags, config)
    try {
      if (flags.watch) {
        await this.watch(probe, { title: `rewind lag ${redactUri(args.source)}`, intervalMs, windowMs, thresholds })
        return undefined
      }
      const measurement = await probe.measure()
      const rows = assessOnce(measurement, thresholds)
      if (rows.some((r) => r.status === 'FAIL')) process.exitCode = 1
      if (this.jsonEnabled()) return lagJson(measurement, rows)
      printText(`${rows.length === 0 ? 'no consumer groups found' : renderLagTable(measurement, rows, chalkFor())}\n`)
      return undefined
    } finally {
      await probe.close()
    }
  }

  private async openProbe(spec: string, flags: Record<string, unknown>, config: Awaited<ReturnType<RewindCommand['loadConfig']>>): Promise<LagProbe> {
    const entry = resolveSourceSpec(spec, config)
    if (sourceKind(entry.uri) === 'kafka') {
      for (const flag of ['checkpoints', 'name-column', 'updated-column', 'checkpoint-db', 'projection']) {
        if (flags[flag] !== undefined) throw new UserError(`--${flag} is for SQLite checkpoint tables; ${redactUri(spec)} is Kafka (use --group)`)
      }
      const { KafkaLag } = await import('../src/lag/kafka-lag.js')
      return KafkaLag.open(entry.uri, { flags, config: config.kafka, configDir: config.dir, groups: flags.group as string[] | undefined })
    }
    if (flags.group !== undefined) throw new UserError(`--group is for Kafka consumer groups; ${redactUri(spec)} is not a kafka:// source (use --projection)`)
    const custom = flags.checkpoints as string | undefined
    if (custom === undefined && (flags['name-column'] !== undefined || flags['updated-column'] !== undefined)) {
      throw new UserError('--name-column and --updated-column describe the table given by --checkpoints TABLE')
    }
    // With --checkpoints, --position-column describes the checkpoint table, not the events table.
    const opened = await openFromFlags(spec, custom === undefined ? flags : { ...flags, 'position-column': undefined }, config)
    const { source } = opened
    try {
      if (!(source instanceof SqliteSource)) throw new UserError(`${redactUri(spec)}: lag reads SQLite checkpoint tables or Kafka consumer groups; this is a ${source.kind} source`)
      const checkpointFile = flags['checkpoint-db'] as string | undefined
      const checkpoints = checkpointFile === undefined ? undefined : { file: checkpointFile, db: openDatabaseReadOnly(checkpointFile) }
      const place = checkpoints ?? { file: source.file, db: source.db }
      const table = custom === undefined ? undefined : customCheckpointTable(place.db, place.file, {
        table: custom,
        nameColumn: flags['name-column'] as string | undefined,
        positionColumn: flags['position-column'] as string | undefined,
        updatedColumn: flags['updated-column'] as string | undefined,
      })
      const lag = new SqliteLag(source, { custom: table, checkpoints, names: flags.projection as string[] | undefined })
      return {
        measure: (now) => lag.measure(now),
        close: async () => {
          checkpoints?.db.close()
          await source.close()
        },
      }
    } catch (error) {
      await source.close()
      throw error
    }
  }

  /** Measures until Ctrl-C: an ink view on a terminal, else one line (or with --json one document) per interval. */
  private async watch(probe: LagProbe, options: { title: string; intervalMs: number; windowMs: number; thresholds: Thresholds }): Promise<void> {
    const watcher = new LagWatcher({ windowMs: options.windowMs, thresholds: options.thresholds })
    const controller = new AbortController()
    const stop = () => controller.abort()
    // Ctrl-C ends the watch normally (exit 0) instead of the default exit 130.
    const previous = process.listeners('SIGINT')
    process.removeAllListeners('SIGINT')
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
    // Ink redraws in place only on a real terminal; CI logs get lines.
    const tty = process.stdout.isTTY === true && !this.jsonEnabled() && !process.env.CI
    let view: { update(next: object): void; stop(): void } | undefined
    let measured = 0
    try {
      if (tty) {
        // ink reads CI when it loads: an empty CI is not CI, but ink would draw only the last frame.
        delete process.env.CI
        const { startLagWatchView } = await import('../src/ui/lag-watch.js')
        view = startLagWatchView({ title: options.title, intervalMs: options.intervalMs, windowMs: options.windowMs, rows: [], color: colorEnabled() })
      }
      await watchLoop({
        intervalMs: options.intervalMs,
        signal: controller.signal,
        measure: async () => {
          try {
            const measurement = await probe.measure()
            measured++
            return measurement
          } catch (error) {
            // A failing first measurement is a bad setup (exit 2); later ones are shown and retried.
            if (measured === 0 || !(error instanceof UserError)) throw error
            view?.update({ error: redactSecrets(error.message) })
            if (view === undefined) this.note(`rewind: ${error.message}`)
            return undefined
          }
        },
        onSample: (measurement) => {
          const rows: AssessedRow[] = watcher.add(measurement)
          if (view !== undefined) view.update({ measurement, rows, error: undefined })
          else if (this.jsonEnabled()) printJson(`${compactJson({ at: new Date(measurement.at).toISOString(), ...lagJson(measurement, rows) })}\n`)
          else printText(`${renderLagLine(measurement.at, rows)}\n`)
        },
      })
    } finally {
      view?.stop()
      process.removeListener('SIGINT', stop)
      process.removeListener('SIGTERM', stop)
      for (const listener of previous) process.on('SIGINT', listener as NodeJS.SignalsListener)
    }
  }
}

function parseWatchDuration(spec: string, flag: string): number {
  const ms = /^\d+(\.\d+)?$/.test(spec.trim()) ? Number(spec) * 1000 : parseDuration(spec)
  if (ms === undefined || ms <= 0) throw new UserError(`${flag} "${spec}": expected a duration such as 2s, 500ms or 1m`)
  return ms
}
