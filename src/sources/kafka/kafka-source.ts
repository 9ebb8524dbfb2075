import type { KafkaConfig, RewindConfig } from '../../config.js'
import { UserError } from '../../errors.js'
import type { EventSource } from '../source.js'

export interface KafkaOpenOptions {
  config?: RewindConfig
  flags: Record<string, unknown>
}

/** Placeholder until the Kafka source lands (issue 3). */
export async function openKafkaSource(uri: string, _options: KafkaOpenOptions & { kafka?: KafkaConfig }): Promise<EventSource> {
  throw new UserError(`${uri}: Kafka sources are not supported yet`)
}
