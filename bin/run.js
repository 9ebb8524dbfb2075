#!/usr/bin/env node
import { createRequire } from 'node:module'

// `rewind ... | head` closes our stdout early: that is success, not a crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw error
  })
}
// Ctrl-C: exit 130 quietly, like other Unix tools (commands that follow install their own handler).
process.once('SIGINT', () => process.exit(130))

// oclif's Node version check loads semver (25 ms of every run) and, bundled, cannot find the
// package.json it checks against anyway; npm checks "engines" at install.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1'

// oclif and the commands, bundled by `npm run build` (src/cli/bundle.ts): a few files load faster than hundreds.
const { main } = createRequire(import.meta.url)('../dist/bundle/load-cli.cjs')
await main(process.argv.slice(2), import.meta.url)
