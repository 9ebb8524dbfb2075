import { Plugin, settings } from '@oclif/core'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Writes oclif.manifest.json at build time, after bundle.ts. Without it, oclif imports every
 * command module (dist/bundle/commands/) on each run to find the one named; with it, only the
 * command you run loads, and --version and --help load none.
 */
settings.enableAutoTranspile = false // read the bundle, never the TypeScript sources (see main.ts)
const root = fileURLToPath(new URL('../../../', import.meta.url))
const file = join(root, 'oclif.manifest.json')
rmSync(file, { force: true })
const plugin = new Plugin({ errorOnManifestCreate: true, ignoreManifest: true, isRoot: true, respectNoCacheDefault: true, root, type: 'core' })
await plugin.load()
writeFileSync(file, `${JSON.stringify(plugin.manifest, null, 2)}\n`)
process.stderr.write(`wrote ${file} (${Object.keys(plugin.manifest.commands).length} commands)\n`)
