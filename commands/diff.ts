import { Flags } from '@oclif/core'
import { resolveAsOf } from '../src/cli/as-of.js'
import { RewindCommand } from '../src/cli/base-command.js'
import { fileFlags, mappingFlags, reducerFlag, repeatable, skipInvalidFlag, sourceArg, upcastersFlag } from '../src/cli/flags.js'
import { loadUserCode, openFromFlags } from '../src/cli/open-source.js'
import { UserError } from '../src/errors.js'
import { mergeReducer } from '../src/fold/reducer.js'
import { lookupCheckpoint, type CheckpointPlace } from '../src/lag/checkpoints.js'
import { chalkFor } from '../src/output/colors.js'
import { renderDiffText } from '../src/output/diff-text.js'
import { Progress } from '../src/output/progress.js'
import { parseMapFlags } from '../src/projections/columns.js'
import { diffProjection, type DiffJson } from '../src/projections/diff.js'
import { ProjectionTable } from '../src/projections/projection-table.js'
import { parseSqliteTableRef } from '../src/projections/sqlite-target.js'
import { redactUri } from '../src/sources/redact-uri.js'
import { SqliteSource } from '../src/sources/sqlite/sqlite-source.js'
import { printText } from '../src/output/terminal.js'

export default class Diff extends RewindCommand {
  static summary = 'Compare a read model (projection) table with a fresh replay, field by field, and explain each drifted row'

  static description = `Replays every stream (with --reducer and --upcasters) and compares each row of the projection table with the state of the stream named by its --key column.
Each column is compared with the state field of the same name (snake_case and camelCase match each other), "version" with the stream version and "state" with the whole state; --map names the rest. Columns without a counterpart are listed once and not compared. JSON columns are compared structurally, numbers within --tolerance.
For each drifted row rewind searches the stream's fold for an explanation: the row equals an earlier version (the projection missed events), one event applied twice, or one event skipped.
--at-checkpoint NAME replays only up to the projection's own checkpoint, so lag is not reported as drift.
Exit 0 when every row matches, 1 when a row drifted, is missing or extra, 2 when the diff cannot run.`

  static examples = [
    '<%= config.bin %> diff bank.db --projection sqlite:read.db#account_view --key account_id',
    '<%= config.bin %> diff @bank --projection sqlite:read.db#account_view --key account_id --at-checkpoint account_view',
    '<%= config.bin %> diff emmett.db --projection sqlite:emmett.db#account_balances --key account_id --stream-id "bankAccount-{key}"',
    '<%= config.bin %> diff bank.db --projection sqlite:read.db#accounts --key id --map total=state.totals.balance --tolerance 0.01',
    '<%= config.bin %> diff bank.db --projection sqlite:read.db#account_view --key account_id --reporter junit > diff.xml',
  ]

  static args = { source: sourceArg }

  static flags = {
    projection: Flags.string({ description: 'The read model table: sqlite:FILE#TABLE (opened read-only)', required: true }),
    key: Flags.string({ description: 'Column holding the stream (aggregate) id', required: true }),
    'stream-id': Flags.string({ description: 'Stream id for a key when they differ, e.g. "bankAccount-{key}"; streams that do not fit are left out' }),
    map: Flags.string({ description: 'Compare COLUMN with a state path: COLUMN=state.path, COLUMN=state (whole state), COLUMN=@version or COLUMN=@time (repeatable)', ...repeatable }),
    ignore: Flags.string({ description: 'Do not compare this column (repeatable)', ...repeatable }),
    tolerance: Flags.string({ description: 'Numbers equal within this difference (e.g. 0.005)', default: '0' }),
    stream: Flags.string({ description: 'Only these streams (glob; repeatable)', ...repeatable }),
    at: Flags.string({ description: 'Replay as of this time (ISO-8601, epoch, "now", "-2h", "90m ago")', exclusive: ['position', 'at-checkpoint'] }),
    position: Flags.string({ description: 'Replay up to this global position', exclusive: ['at', 'at-checkpoint'] }),
    'at-checkpoint': Flags.string({ description: "Replay up to this projection checkpoint's position (from the checkpoint tables of the read model's file or the store)", exclusive: ['at', 'position'] }),
    reducer: reducerFlag,
    upcasters: upcastersFlag,
    reporter: Flags.string({ description: 'Output: text, or junit (one test case per key) for CI', options: ['text', 'junit'], default: 'text' }),
    'explain-limit': Flags.integer({ description: 'Search explanations in streams of at most this many events (0: no explanations)', default: 1000, min: 0 }),
    'explain-rows': Flags.integer({ description: 'Explain at most this many drifted rows', default: 100, min: 0 }),
    'skip-invalid': skipInvalidFlag,
    ...mappingFlags,
    ...fileFlags,
  }

  async run(): Promise<DiffJson | undefined> {
    const { args, flags } = await this.parse(Diff)
    if (this.jsonEnabled() && flags.reporter === 'junit') throw new UserError('--json and --reporter junit cannot be used together: pick one output')
    const asOf = resolveAsOf({ at: flags.at, position: flags.position })
    const tolerance = Number(flags.tolerance)
    if (!Number.isFinite(tolerance) || tolerance < 0) throw new UserError(`--tolerance "${flags.tolerance}": expected a number >= 0 (e.g. 0.01)`)
    const map = parseMapFlags(flags.map)
    const ref = parseSqliteTableRef(flags.projection, '--projection')
    const table = new ProjectionTable(ref, flags.key)
    try {
      const config = await this.loadConfig(flags.config)
      const opened = await openFromFlags(args.source, flags, config)
      const { source } = opened
      try {
        let untilPosition = asOf.position
        let as = asOf.at !== undefined ? `as of ${asOf.at}` : asOf.position !== undefined ? `up to position ${asOf.position}` : 'up to the head'
        if (flags['at-checkpoint'] !== undefined) {
          const places: CheckpointPlace[] = [{ file: ref.file, db: table.db }]
          if (source instanceof SqliteSource) places.push({ file: source.file, db: source.db })
          const checkpoint = lookupCheckpoint(places, flags['at-checkpoint'])
          if (checkpoint.position !== null && typeof checkpoint.position !== 'number') {
            throw new UserError(`${checkpoint.file}: checkpoint ${checkpoint.name} in ${checkpoint.table} has position ${JSON.stringify(checkpoint.position)}, expected a global position (a whole number)`)
          }
          // No position yet: the projection has processed nothing.
          untilPosition = checkpoint.position ?? -1
          as = `up to position ${checkpoint.position ?? '(none)'} (checkpoint ${checkpoint.name} in ${checkpoint.table})`
        }
        const { reducer, upcasters } = await loadUserCode(opened)
        const read = { withMeta: reducer !== mergeReducer || upcasters.size > 0, skipInvalid: flags['skip-invalid'], onWarning: (m: string) => this.warnUser(m) }
        const progress = new Progress('replaying', process.stderr.isTTY ? await source.estimateCount?.({ ...read, untilPosition }) : undefined)
        const report = await diffProjection({
          source,
          reducer,
          upcasters,
          table,
          map,
          ignore: flags.ignore,
          tolerance,
          streamId: flags['stream-id'],
          streams: flags.stream,
          at: asOf.at,
          untilPosition,
          read,
          explainLimit: flags['explain-limit'],
          explainRows: flags['explain-rows'],
          keepMatchedKeys: flags.reporter === 'junit',
          onProgress: (n) => progress.update(n),
        })
        progress.done()
        for (const warning of report.warnings) this.warnUser(warning)
        const { json } = report
        if (json.drifted.length > 0 || json.missing.length > 0 || json.extra.length > 0) process.exitCode = 1
        if (this.jsonEnabled()) return json
        if (flags.reporter === 'junit') {
          // junit-report-builder is half a megabyte of JavaScript: loaded only when asked for.
          const { renderDiffJunit } = await import('../src/output/diff-junit.js')
          printText(`${renderDiffJunit(report, `rewind diff ${ref.table}`)}\n`)
        } else printText(`${renderDiffText(report, { projection: `${ref.file}#${ref.table}`, source: redactUri(source.name), as }, chalkFor())}\n`)
        return undefined
      } finally {
        await source.close()
      }
    } finally {
      table.close()
    }
  }
}
