#!/usr/bin/env node
import { statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

// `rewind ... | head` closes our stdout early: that is success, not a crash. Any other failure to
// write (`> /dev/full`) is one line and exit 2. An error on stderr leaves nowhere to say it.
const writeFailure = (error) => `rewind: cannot write to standard output: ${/^[A-Z]+: (.*?), write$/.exec(error.message)?.[1] ?? error.message}\n`
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  process.stderr.write(writeFailure(error))
  process.exit(2)
})
process.stderr.on('error', (error) => process.exit(error.code === 'EPIPE' ? (process.exitCode ?? 0) : 2))
// A command that ends (process.exit) in the tick its write failed never sees the 'error' event.
process.once('exit', () => {
  const error = process.stdout.errored
  if (error == null || error.code === 'EPIPE') return
  process.stderr.write(writeFailure(error))
  process.exitCode = 2
})
// Ctrl-C: exit 130 quietly, like other Unix tools (commands that follow install their own handler).
process.once('SIGINT', () => process.exit(130))

// oclif's Node version check loads semver (25 ms of every run) and, bundled, cannot find the
// package.json it checks against anyway; npm checks "engines" at install.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1'

// oclif and the commands, bundled by `npm run build` (src/cli/bundle.ts): a few files load faster than hundreds.
// In a checkout, `npx tsc` updates dist/ but not the bundle: bundle again first (about a second).
const modified = (path) => statSync(new URL(path, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? 0
if (modified('../dist/src/cli/main.js') > modified('../dist/bundle/meta.json')) {
  const { spawnSync } = await import('node:child_process')
  const bundling = spawnSync(process.execPath, [fileURLToPath(new URL('../dist/src/cli/bundle.js', import.meta.url)), '--if-stale'], { encoding: 'utf8' })
  if (bundling.status !== 0) process.stderr.write(`rewind: warning: dist/bundle is older than dist/ and bundling failed (npm run bundle):\n${bundling.stderr}`)
}
// `state ... -i` folds the stream in a thread of its own (src/ui/folding-thread.ts). Started now,
// before oclif loads, the thread is up by the time the first page is read: ~100 ms sooner to the view.
const args = process.argv.slice(2)
if (args[0] === 'state' && args.some((arg) => arg === '-i' || arg === '--interactive')) {
  await import('../dist/bundle/folding-thread.js').then((thread) => thread.prestartFoldingThread(), () => undefined)
}
const { main } = createRequire(import.meta.url)('../dist/bundle/load-cli.cjs')
await main(process.argv.slice(2), import.meta.url)
