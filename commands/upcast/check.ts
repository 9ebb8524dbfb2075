import { cpus } from 'node:os'
import { Args, Flags } from '@oclif/core'
import { RewindCommand } from '../../src/cli/base-command.js'
import { fileFlags, kafkaFlags, mappingFlags, skipInvalidFlag } from '../../src/cli/flags.js'
import { openFromFlags, type OpenedSource } from '../../src/cli/open-source.js'
import { UserError } from '../../src/errors.js'
import { chalkFor } from '../../src/output/colors.js'
import { Progress } from '../../src/output/progress.js'
import { renderUpcastGithub } from '../../src/output/upcast-github.js'
import { renderUpcastJson } from '../../src/output/upcast-json.js'
import { renderUpcastText } from '../../src/output/upcast-text.js'
import { redactUri } from '../../src/sources/redact-uri.js'
import { SqliteSource } from '../../src/sources/sqlite/sqlite-source.js'
import { threadsForPositions } from '../../src/threads/thread-count.js'
import { runUpcastCheck, upcastCheckJson } from '../../src/upcast/check.js'
import { displayPath } from '../../src/output/display-path.js'
import type { UpcastCheckJson } from '../../src/upcast/report.js'
import { printText, printJson } from '../../src/output/terminal.js'

export default class UpcastCheck extends RewindCommand {
  static summary = 'Check upcasters against golden fixtures (and a real store): a CI gate for schema changes'

  static description = `Cases are NAME.in.ndjson files anywhere under DIR, each with a NAME.out.ndjson golden: one event per line.
Every input is lifted through the upcasters to the latest version of its type and compared with the golden, event by event
(key order ignored, numbers exact; top-level fields and meta keys the golden leaves out are not compared, a field it names is compared whole).
Checks, each named in the output: chain complete (no gaps, no two upcasters for one type and version), purity (inputs are
frozen), determinism (two runs agree), latest unchanged (events at their latest version pass through untouched) and envelope
preserved (stream, position, time, eventId, correlationId, causationId, unless the golden says otherwise).
--against SOURCE runs the chain over every stored event and reports the first failing event per type/version.
Exit 1 when a case or check fails, 2 when the check cannot run (upcasters do not load, a fixture line is not JSON).`

  static examples = [
    '<%= config.bin %> upcast check upcaster-fixtures --upcasters upcasters.ts',
    '<%= config.bin %> upcast check upcaster-fixtures --upcasters upcasters.ts --update',
    '<%= config.bin %> upcast check upcaster-fixtures --upcasters upcasters.ts --against bank.db',
    '<%= config.bin %> upcast check upcaster-fixtures --upcasters upcasters.ts --against big.db --workers 1',
    '<%= config.bin %> upcast check upcaster-fixtures --upcasters upcasters.ts --against kafka://localhost:9092/bank-events',
    '<%= config.bin %> upcast check upcaster-fixtures --reporter junit > upcast-report.xml',
  ]

  static args = { dir: Args.string({ description: 'Directory of NAME.in.ndjson / NAME.out.ndjson fixture pairs (searched recursively)', required: true }) }

  static flags = {
    upcasters: Flags.string({ description: 'Upcaster module (default: "upcasters" in the config file)' }),
    update: Flags.boolean({ description: 'Write or refresh the NAME.out.ndjson goldens from what the upcasters produce, and list what changed' }),
    against: Flags.string({ description: 'Also run the chain over every event of this source (SQLite, NDJSON, kafka://, @name)' }),
    reporter: Flags.string({ description: 'Report format', options: ['text', 'json', 'junit', 'github'], default: 'text' }),
    workers: Flags.integer({ description: 'With a SQLite --against: check in this many threads, split by position (default: one more per idle core, at most 4 in all; REWIND_THREADS=N)', min: 1, max: 16 }),
    'skip-invalid': skipInvalidFlag,
    ...kafkaFlags,
    ...mappingFlags,
    ...fileFlags,
  }

  async run(): Promise<UpcastCheckJson | undefined> {
    const cpusAtStart = cpus()
    const { args, flags } = await this.parse(UpcastCheck)
    const config = await this.loadConfig(flags.config)
    let opened: OpenedSource | undefined
    try {
      if (flags.against !== undefined) opened = await openFromFlags(flags.against, flags, config)
      const upcasters = flags.upcasters ?? opened?.upcastersFile ?? config.upcasters
      if (upcasters === undefined) throw new UserError('no upcasters: pass --upcasters FILE (or set "upcasters" in the config file)')
      if (flags.workers !== undefined && flags.workers > 1 && opened !== undefined && opened.source.kind !== 'sqlite') this.warnUser(`--workers applies to a SQLite --against; reading ${opened.source.kind} in one thread`)
      // Threads by default on a big SQLite store: the report is the same, only sooner.
      const sqlite = opened?.source instanceof SqliteSource ? opened.source : undefined
      const workers = flags.workers ?? (sqlite === undefined ? 1 : threadsForPositions(sqlite.firstPosition(), sqlite.headPosition(), cpusAtStart))
      const estimate = opened !== undefined && process.stderr.isTTY ? await opened.source.estimateCount?.() : undefined
      const progress = new Progress('checking', estimate)
      const report = await runUpcastCheck({
        dir: args.dir,
        upcasters,
        update: flags.update,
        against: opened === undefined ? undefined : {
          source: opened.source,
          name: redactUri(flags.against!.startsWith('@') ? `${flags.against} (${displayPath(opened.source.name)})` : displayPath(opened.source.name)),
          read: { skipInvalid: flags['skip-invalid'], onWarning: (m) => this.warnUser(m) },
          workers,
        },
        onProgress: (n) => progress.update(n),
      })
      progress.done()
      if (report.failures.length > 0) process.exitCode = 1
      if (this.jsonEnabled()) return upcastCheckJson(report)
      switch (flags.reporter) {
        case 'json':
          printJson(`${renderUpcastJson(report)}\n`)
          break
        case 'junit': {
          // The XML builder (and lodash under it) loads only for this reporter.
          const { renderUpcastJunit } = await import('../../src/output/upcast-junit.js')
          printText(`${renderUpcastJunit(report)}\n`)
          for (const warning of report.warnings) this.warnUser(warning)
          break
        }
        case 'github':
          printText(`${renderUpcastGithub(report)}\n${renderUpcastText(report, chalkFor())}\n`)
          break
        default:
          printText(`${renderUpcastText(report, chalkFor())}\n`)
          for (const warning of report.warnings) this.warnUser(warning)
      }
      return undefined
    } finally {
      await opened?.source.close()
    }
  }
}
