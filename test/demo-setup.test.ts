// Issue #16, item 1: from a clone to a working demo as printed. `rewind demo` run again
// refreshes the demo (exit 0), and every command it prints works exactly as printed, in the
// directory where it is printed, whether or not `rewind` is on the PATH.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BIN, runCli, tempDir } from './helpers.js'

/** The commands `rewind demo` prints under "Try:", as printed. */
const printedCommands = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('  ')).map((line) => line.trim())

describe('rewind demo, as a new user runs it (issue #16, item 1)', () => {
  it('runs again on its own demo: says so and exits 0', async () => {
    const cwd = tempDir('rewind-demo-again-')
    expect((await runCli(['demo'], { cwd })).code).toBe(0)
    const again = await runCli(['demo'], { cwd })
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toMatch(/^Refreshed the demo in rewind-demo\/ \(it was there already\)/)
  })

  it('keeps files that are not a demo unless --force', async () => {
    const cwd = tempDir('rewind-demo-foreign-')
    mkdirSync(join(cwd, 'rewind-demo'))
    writeFileSync(join(cwd, 'rewind-demo', 'bank.db'), 'mine')
    const result = await runCli(['demo'], { cwd })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('rewind-demo/bank.db exists and is not a rewind demo; use --force to overwrite it')
    expect((await runCli(['demo', '--force'], { cwd })).code).toBe(0)
  })

  it('every command it prints runs as printed after the cd it prints (rewind not on the PATH)', async () => {
    const cwd = tempDir('rewind-demo-printed-')
    const result = await runCli(['demo'], { cwd })
    const commands = printedCommands(result.stdout)
    expect(commands[0]).toBe('cd rewind-demo')
    const rest = commands.slice(1)
    expect(rest.length).toBeGreaterThan(8)
    for (const command of rest) {
      expect(command.startsWith('rewind ')).toBe(false)
      const run = spawnSync('bash', ['-c', command], { cwd: join(cwd, 'rewind-demo'), encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
      // diff finds the planted drift: exit 1 is its answer; anything else must succeed.
      expect(run.status, `${command}\n${run.stderr}`).toBe(command.includes(' diff ') ? 1 : 0)
    }
  })

  it('prints plain `rewind` when that name on the PATH is this program (npm link)', async () => {
    const bin = tempDir('rewind-path-')
    execFileSync('ln', ['-s', BIN, join(bin, 'rewind')])
    const cwd = tempDir('rewind-demo-linked-')
    const result = await runCli(['demo'], { cwd, env: { PATH: `${bin}:${process.env.PATH}` } })
    expect(printedCommands(result.stdout).slice(1).every((c) => c.startsWith('rewind '))).toBe(true)
  })
})
