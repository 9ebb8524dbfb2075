import { Plugin } from '@oclif/core'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Writes oclif.manifest.json at build time. Without it, oclif imports every command module to
 * find one, which costs each run hundreds of milliseconds; with it, only the command you run loads.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url))
const file = join(root, 'oclif.manifest.json')
rmSync(file, { force: true })
const plugin = new Plugin({ errorOnManifestCreate: true, ignoreManifest: true, isRoot: true, respectNoCacheDefault: true, root, type: 'core' })
await plugin.load()
writeFileSync(file, `${JSON.stringify(plugin.manifest, null, 2)}\n`)
process.stderr.write(`wrote ${file} (${Object.keys(plugin.manifest.commands).length} commands)\n`)
