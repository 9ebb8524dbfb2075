// Issue #18 items 3, 10 and 16: credentials in source URIs never reach output; a config file or
// demo directory that is a device, a pipe or impossible fails at once; SQLite's and Node's raw
// messages reach the user as one line naming the file (and table) and what was wrong.
import { execFileSync, spawn } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { beforeAll, describe, expect, it } from 'vitest'
import { BIN, makeDemo, ROOT, runCli, tempDir, type CliResult } from '../helpers.js'

const SECRET = 'hunter2-S3CRET'
const OTHER_SECRET = 'tok-0ther-S3CRET'

/** Exit 2 with one line on stderr that starts with "rewind: ". */
function expectOneLine(result: CliResult): string {
  expect(result.code, result.stderr).toBe(2)
  const lines = result.stderr.trimEnd().split('\n')
  expect(lines, result.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(/^rewind: /)
  expect(lines[0]).not.toContain('DEBUG=rewind shows the stack')
  return lines[0]
}

function expectNoSecret(result: CliResult): void {
  for (const secret of [SECRET, OTHER_SECRET]) {
    expect(result.stdout).not.toContain(secret)
    expect(result.stderr).not.toContain(secret)
  }
}

let demo: string
beforeAll(async () => {
  demo = await makeDemo()
})

describe('credentials in source URIs are never printed', () => {
  const uris = [
    `kafka://127.0.0.1:1/orders?password=${SECRET}&sasl_password=${OTHER_SECRET}`,
    `kafka://bob:${SECRET}@127.0.0.1:1/orders`,
    `kafka://127.0.0.1:1?sasl_password=${SECRET}`,
    `postgres://app:${SECRET}@db.internal:5432/events?sslpassword=${OTHER_SECRET}`,
    `postgresql://127.0.0.1:1/events?password=${SECRET}`,
    `sqlite:/nowhere/bank.db?token=${SECRET}`,
    `file:/nowhere/events.ndjson?apiKey=${SECRET}`,
  ]

  for (const uri of uris) {
    it(`in the error line, the --json error and the DEBUG stack: ${uri.split('?')[0].replace(SECRET, '...')}`, async () => {
      const plain = await runCli(['tail', uri, '--timeout', '1s'])
      expectOneLine(plain)
      expectNoSecret(plain)
      expect(plain.stderr).toContain('***')

      const json = await runCli(['inspect', uri, '--timeout', '1s', '--json'])
      expect(json.code).toBe(2)
      expectNoSecret(json)
      expect(JSON.parse(json.stdout).error.message).toContain('***')

      const debug = await runCli(['state', uri, 'acc-01', '--timeout', '1s'], { env: { DEBUG: 'rewind' } })
      expect(debug.code).toBe(2)
      expect(debug.stderr).toMatch(/\n\s+at /) // the stack is there, masked
      expectNoSecret(debug)
    })
  }

  it('in lag, upcast run and diff, which name the source in their own messages', async () => {
    const uri = `kafka://127.0.0.1:1/orders?token=${SECRET}`
    for (const args of [
      ['lag', uri, '--checkpoints', 'mt_event_progression'],
      ['lag', `kafka://127.0.0.1:1?token=${SECRET}`, '--timeout', '1s'],
      ['upcast', 'run', uri, '--upcasters', join(demo, 'upcasters.ts'), '--timeout', '1s'],
      ['diff', uri, '--projection', `sqlite:${join(demo, 'read.db')}#account_view`, '--key', 'account_id', '--timeout', '1s'],
      ['tail', uri, '--partition', '0', '--from', '-3', '--timeout', '1s'],
    ]) {
      const result = await runCli(args)
      expect(result.code, args.join(' ')).toBe(2)
      expectNoSecret(result)
    }
  })

  it('in brokers given with credentials (--brokers, KAFKA_BROKERS)', async () => {
    const brokers = `bob:${SECRET}@127.0.0.1:1`
    for (const [args, env] of [[['--brokers', brokers], {}], [[], { KAFKA_BROKERS: brokers }]] as const) {
      const result = await runCli(['tail', 'kafka:///orders', ...args, '--timeout', '1s'], { env: { ...env, DEBUG: 'rewind' } })
      expect(result.code).toBe(2)
      expect(result.stderr).toContain('***@127.0.0.1:1')
      expectNoSecret(result)
    }
  })

  it('when SOURCE is mistaken for a command', async () => {
    for (const env of [{}, { DEBUG: 'rewind' }]) {
      const result = await runCli([`kafka://bob:${SECRET}@127.0.0.1:1/orders`], { env })
      expect(result.code).toBe(2)
      expectNoSecret(result)
    }
  })

  it('for a source named in the config file', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, '.rewindrc.json'), JSON.stringify({ sources: { prod: `kafka://127.0.0.1:1/orders?sasl_password=${SECRET}`, pg: `postgres://app:${SECRET}@db/events` } }))
    for (const name of ['@prod', '@pg']) {
      const result = await runCli(['tail', name, '--timeout', '1s', '--json'], { cwd: dir, env: { DEBUG: 'rewind' } })
      expect(result.code).toBe(2)
      expectNoSecret(result)
    }
  })

  it('in inspect, text and --json, for a store whose very name carries a token', async () => {
    const dir = tempDir()
    const store = join(dir, `bank.db?token=${SECRET}`)
    copyFileSync(join(demo, 'bank.db'), store)
    const text = await runCli(['inspect', store])
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toContain('bank.db?token=***')
    expectNoSecret(text)
    const json = await runCli(['inspect', store, '--json'])
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout).source).toContain('bank.db?token=***')
    expectNoSecret(json)
  })
})

describe('bad paths fail at once (exit 2, one line)', () => {
  // Killed at 30 s (code null) if it hangs: the assertion on the code then fails.
  const run = (args: string[], cwd?: string) => runCli(args, { cwd, timeoutMs: 30_000 })

  it('--config /dev/zero, a FIFO, a directory: named, with what it is', async () => {
    const dir = tempDir()
    execFileSync('mkfifo', [join(dir, 'fifo.json')])
    mkdirSync(join(dir, 'cfg'))
    const store = join(demo, 'bank.db')
    expect(expectOneLine(await run(['inspect', store, '--config', '/dev/zero']))).toBe('rewind: /dev/zero: is a character device, expected a JSON config file')
    expect(expectOneLine(await run(['inspect', store, '--config', join(dir, 'fifo.json')]))).toContain('fifo.json: is a named pipe (FIFO)')
    const eisdir = expectOneLine(await run(['tail', store, '--config', join(dir, 'cfg')]))
    expect(eisdir).toContain(`${join(dir, 'cfg')}: is a directory, expected a JSON config file`)
    expect(eisdir).not.toContain('EISDIR')
  })

  it('a config file found by the search that is a FIFO or a directory', async () => {
    for (const make of [(file: string) => execFileSync('mkfifo', [file]), (file: string) => mkdirSync(file)]) {
      const dir = tempDir()
      make(join(dir, '.rewindrc.json'))
      const line = expectOneLine(await run(['inspect', join(demo, 'bank.db')], dir))
      // Shown from the working directory, where the search started (issue #16: paths not made absolute).
      expect(line).toMatch(/^rewind: \.rewindrc\.json: is a /)
    }
  })

  it('--config /dev/null is no config at all', async () => {
    const result = await run(['inspect', join(demo, 'bank.db'), '--config', '/dev/null', '--json'], demo)
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout).events).toBeGreaterThan(0)
  })

  it('rewind demo /proc/nope, and a DIR under a file or a device', async () => {
    expect(expectOneLine(await run(['demo', '/proc/nope']))).toContain('/proc/nope: cannot create the demo directory')
    expect(expectOneLine(await run(['demo', '/dev/zero/demo']))).toContain('/dev/zero is a character device')
    const dir = tempDir()
    writeFileSync(join(dir, 'file'), '')
    expect(expectOneLine(await run(['demo', join(dir, 'file', 'demo')]))).toContain(`${join(dir, 'file')} is a file`)
  })

  it('a reducer, an upcaster module or a TLS file that is a device or a pipe', async () => {
    const dir = tempDir()
    execFileSync('mkfifo', [join(dir, 'reducer.js')])
    const store = join(demo, 'bank.db')
    expect(expectOneLine(await run(['state', store, 'acc-01', '--reducer', '/dev/zero']))).toBe('rewind: /dev/zero: is a character device; the reducer must be a .js, .mjs or .ts file')
    expect(expectOneLine(await run(['state', store, 'acc-01', '--reducer', join(dir, 'reducer.js')]))).toContain('reducer.js: is a named pipe (FIFO)')
    expect(expectOneLine(await run(['upcast', 'run', store, '--upcasters', '/dev/zero']))).toContain('/dev/zero: is a character device')
    expect(expectOneLine(await run(['tail', 'kafka://127.0.0.1:1/orders', '--tls-ca', '/dev/zero', '--timeout', '1s']))).toContain('--tls-ca /dev/zero: is a character device, expected a PEM file')
  })

  it('a named pipe given as a SQLite store', async () => {
    const dir = tempDir()
    execFileSync('mkfifo', [join(dir, 'events.db')])
    expect(expectOneLine(await run(['tail', join(dir, 'events.db')]))).toContain('events.db: is a named pipe (FIFO), expected a SQLite file')
  })
})

describe('SQLite failures name the file, the table and what was wrong', () => {
  function damagedCopy(): string {
    const file = join(tempDir(), 'damaged.db')
    const bytes = readFileSync(join(demo, 'bank.db'))
    bytes.fill(0xff, Math.floor(bytes.length / 2))
    writeFileSync(file, bytes)
    return file
  }

  it('a damaged file ("database disk image is malformed"), in every command that reads it', async () => {
    const file = damagedCopy()
    for (const args of [['inspect', file], ['tail', file], ['state', file, 'acc-01'], ['replay', file], ['lag', file], ['upcast', 'run', file, '--upcasters', join(demo, 'upcasters.ts')]]) {
      const line = expectOneLine(await runCli(args))
      expect(line, args.join(' ')).toContain(`${file}: the SQLite file is damaged (database disk image is malformed)`)
    }
    const json = await runCli(['replay', file, '--json'])
    expect(JSON.parse(json.stdout).error.message).toContain(`${file}: the SQLite file is damaged`)
  })

  it('a damaged read model given to diff', async () => {
    const file = damagedCopy()
    const line = expectOneLine(await runCli(['diff', join(demo, 'bank.db'), '--projection', `sqlite:${file}#events`, '--key', 'stream_id']))
    expect(line).toContain(`${file}: the SQLite file is damaged`)
  })

  it('the events table dropped under tail -f', async () => {
    const dir = tempDir()
    const store = join(dir, 'bank.db')
    copyFileSync(join(demo, 'bank.db'), store)
    const child = spawn(process.execPath, [BIN, 'tail', store, '-f', '--from', '-1'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c))
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
    await new Promise<void>((resolve) => child.stdout.setEncoding('utf8').on('data', (c) => {
      stdout += c
      if (stdout.includes('\n')) resolve()
    }))
    const db = new Database(store)
    db.exec('DROP TABLE events')
    db.close()
    const code = await exited
    const line = expectOneLine({ code, signal: null, stdout, stderr })
    expect(line).toContain(`${store}: table events is not there (no such table: events)`)
  })

  it('"unable to open database file" says why: here its write-ahead log is a directory', async () => {
    const dir = tempDir()
    const store = join(dir, 'wal.db')
    copyFileSync(join(demo, 'bank.db'), store)
    const db = new Database(store)
    db.pragma('journal_mode = WAL')
    db.close()
    mkdirSync(`${store}-wal`)
    const line = expectOneLine(await runCli(['inspect', store]))
    expect(line).toContain(`${store}: SQLite cannot open it (unable to open database file): ${store}-wal, which SQLite reads with it, is a directory`)
  })
})
