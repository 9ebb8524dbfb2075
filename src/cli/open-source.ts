import type { RewindConfig } from '../config.js'
import { loadReducer, type Reducer } from '../fold/reducer.js'
import { openSource, resolveSourceSpec, type SourceRecipe } from '../sources/open.js'
import type { EventSource } from '../sources/source.js'
import type { UpcastChain } from '../upcast/chain.js'
import { loadUpcasters } from '../upcast/load-upcasters.js'
import { mappingFrom } from './flags.js'
import { parseMaxLineBytes } from '../sources/ndjson-lines.js'

export interface OpenedSource {
  source: EventSource
  /** How to open the same source again (state -i reads it in a second thread). */
  recipe: SourceRecipe
  config: RewindConfig
  /** --reducer, else the source's entry in the config file, else the file's top-level "reducer". */
  reducerFile?: string
  upcastersFile?: string
}

/** Resolves SOURCE with the config file, the mapping flags and the Kafka flags. */
export async function openFromFlags(spec: string, flags: Record<string, unknown>, config: RewindConfig): Promise<OpenedSource> {
  const entry = resolveSourceSpec(spec, config)
  const kafka = Object.fromEntries(Object.entries(flags).filter(([k]) => /^(brokers|sasl-|ssl|tls|timeout|stream-path|group|partition)/.test(k)))
  const options = { config, mapping: mappingFrom(flags), kafka, maxLineBytes: parseMaxLineBytes(flags['max-line-bytes'] as string | undefined) }
  const source = await openSource(spec, options)
  return {
    source,
    recipe: { spec, options },
    config,
    reducerFile: (flags.reducer as string | undefined) ?? entry.reducer ?? config.reducer,
    upcastersFile: (flags.upcasters as string | undefined) ?? entry.upcasters ?? config.upcasters,
  }
}

export async function loadUserCode(opened: OpenedSource): Promise<{ reducer: Reducer; upcasters: UpcastChain }> {
  const [reducer, upcasters] = await Promise.all([loadReducer(opened.reducerFile), loadUpcasters(opened.upcastersFile)])
  return { reducer, upcasters }
}
