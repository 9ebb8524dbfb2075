#!/usr/bin/env node
// `rewind ... | head` closes our stdout early: that is success, not a crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw error
  })
}
// Ctrl-C: exit 130 quietly, like other Unix tools (commands that follow install their own handler).
process.once('SIGINT', () => process.exit(130))

// oclif and the commands, bundled by `npm run build` (src/cli/bundle.ts): one file loads faster than hundreds.
const { main } = await import('../dist/bundle/cli.js')
await main(process.argv.slice(2), import.meta.url)
