import { RewindCommand } from '../src/cli/base-command.js'
import { fileFlags, kafkaFlags, mappingFlags, sourceArg } from '../src/cli/flags.js'
import { openFromFlags } from '../src/cli/open-source.js'
import { chalkFor } from '../src/output/colors.js'
import { renderSummary } from '../src/output/summary.js'
import { redactUri } from '../src/sources/redact-uri.js'
import type { SourceSummary } from '../src/sources/source.js'
import { printText } from '../src/output/terminal.js'

export default class Inspect extends RewindCommand {
  static summary = 'Show what a source holds: preset and mapping, counts, time range, event types x schema versions, checkpoints'

  static examples = [
    '<%= config.bin %> inspect bank.db',
    '<%= config.bin %> inspect sqlite:store.sqlite --table domain_events --stream-column entity_id',
    '<%= config.bin %> inspect bank.db --json | jq .types',
  ]

  static args = { source: sourceArg }

  static flags = { ...mappingFlags, ...fileFlags, ...kafkaFlags }

  async run(): Promise<SourceSummary> {
    const { args, flags } = await this.parse(Inspect)
    const config = await this.loadConfig(flags.config)
    const { source } = await openFromFlags(args.source, flags, config)
    try {
      const summary = await source.summarize()
      summary.source = redactUri(summary.source)
      if (!this.jsonEnabled()) printText(`${renderSummary(summary, chalkFor())}\n`)
      return summary
    } finally {
      await source.close()
    }
  }
}
