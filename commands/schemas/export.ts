import { Args } from '@oclif/core'
import { RewindCommand } from '../../src/cli/base-command.js'
import { kafkaFlags } from '../../src/cli/flags.js'
import { openFromFlags } from '../../src/cli/open-source.js'
import { UserError } from '../../src/errors.js'
import { printText } from '../../src/output/terminal.js'
import type { KafkaSource } from '../../src/sources/kafka/kafka-source.js'
import type { ExportResult } from '../../src/sources/kafka/registry/schema-export.js'

export default class SchemasExport extends RewindCommand {
  static summary = 'Write the schemas a Kafka topic uses, from its registry, to a directory that --schemas reads (debug later without the registry)'

  static examples = ['<%= config.bin %> schemas export kafka://localhost:9092/orders ./orders-schemas --registry http://localhost:8081']

  static args = {
    source: Args.string({ description: 'kafka://HOST:PORT/TOPIC or @name', required: true }),
    dir: Args.string({ description: 'Directory to write (index.json and one file per schema)', required: true }),
  }

  static flags = { ...kafkaFlags }

  async run(): Promise<ExportResult> {
    const { args, flags } = await this.parse(SchemasExport)
    const config = await this.loadConfig(flags.config)
    const { source } = await openFromFlags(args.source, flags, config)
    try {
      if (source.kind !== 'kafka') throw new UserError(`${args.source}: schemas export reads a Kafka topic (kafka://HOST:PORT/TOPIC)`)
      const { exportSchemas } = await import('../../src/sources/kafka/registry/schema-export.js')
      const result = await exportSchemas(source as KafkaSource, args.dir, (message) => this.warnUser(message))
      if (!this.jsonEnabled()) {
        for (const schema of result.schemas) printText(`${schema.key}\t${schema.format}\t${schema.file}${schema.references.length > 0 ? `\t(references: ${schema.references.join(', ')})` : ''}\n`)
        this.note(`${result.schemas.length} schema${result.schemas.length === 1 ? '' : 's'} written to ${result.dir}${result.missing.length > 0 ? `; ${result.missing.length} could not be fetched` : ''}`)
      }
      return result
    } finally {
      await source.close()
    }
  }
}
