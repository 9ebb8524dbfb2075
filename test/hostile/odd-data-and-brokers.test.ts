// Issue #18, items 9, 11 and 14: brokers that misbehave, read-only users of WAL stores, and odd
// but valid data. Each test runs the built CLI as a user would.
import { createServer, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, type CliResult } from '../helpers.js'

/** One line on stderr, no stack trace, exit 2. */
function expectOneLineError(result: CliResult): string {
  expect(result.code).toBe(2)
  const lines = result.stderr.split('\n').filter((l) => l !== '')
  expect(lines).toHaveLength(1)
  expect(result.stderr).not.toMatch(/\n\s+at /)
  return lines[0]
}

// --- item 9: a "broker" that is not one --------------------------------------------------------

/** A TCP server on 127.0.0.1 that answers each connection with `answer`. */
async function fakeBroker(answer: (socket: Socket) => void): Promise<{ address: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
    answer(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  const close = async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  }
  return { address: `127.0.0.1:${port}`, close }
}

/** Writes `bytes` (one every `everyMs`) after each request, until the socket closes. */
function drip(socket: Socket, bytes: () => Buffer, everyMs: number): void {
  socket.once('data', () => {
    const timer = setInterval(() => { if (!socket.destroyed) socket.write(bytes()) }, everyMs)
    socket.on('close', () => clearInterval(timer))
  })
}

describe('a Kafka port that misbehaves: exit 2 within --timeout, one line naming the broker and what was wrong', () => {
  const closers: Array<() => Promise<void>> = []
  const start = async (answer: (socket: Socket) => void) => {
    const broker = await fakeBroker(answer)
    closers.push(broker.close)
    return broker.address
  }
  afterAll(async () => {
    for (const close of closers) await close()
  })

  const tail = (address: string) => runCli(['tail', `kafka://${address}/events`, '--timeout', '3s'], { timeoutMs: 30_000 })

  it('an HTTP server answering: the size it gave and the bytes it began with', async () => {
    const address = await start((socket) => socket.on('data', () => socket.write('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')))
    const line = expectOneLineError(await tail(address))
    expect(line).toContain(`${address} does not answer in the Kafka protocol`)
    expect(line).toContain('beginning "HTTP/1.1 400 Bad"')
  })

  it('a negative response size (kafkajs threw inside its socket handler: a stack trace and exit 1)', async () => {
    const address = await start((socket) => socket.on('data', () => socket.write(Buffer.from([0xff, 0xff, 0xff, 0xfb, 0, 0, 0, 0]))))
    const line = expectOneLineError(await tail(address))
    expect(line).toContain(`${address} does not answer in the Kafka protocol: a response size of -5 bytes`)
  })

  it('a drip of zero bytes', async () => {
    const address = await start((socket) => drip(socket, () => Buffer.from([0]), 100))
    const line = expectOneLineError(await tail(address))
    expect(line).toContain(`${address} does not answer in the Kafka protocol: a response size of 0 bytes`)
  })

  it('a response that begins and then trickles: says how much of it came', async () => {
    const address = await start((socket) => {
      socket.once('data', () => socket.write(Buffer.from([0, 0, 0, 100])))
      drip(socket, () => Buffer.from([1]), 250)
    })
    const line = expectOneLineError(await tail(address))
    expect(line).toMatch(new RegExp(`no complete answer within 3s \\(${address.replace(/\./g, '\\.')} had sent \\d+ of the 104 bytes of a response\\)`))
  })

  it('a TLS alert to a plain-text client: says to add --tls', async () => {
    const address = await start((socket) => socket.on('data', () => socket.end(Buffer.from([0x15, 3, 3, 0, 2, 2, 0x46]))))
    const line = expectOneLineError(await tail(address))
    expect(line).toContain(`${address} does not answer in the Kafka protocol`)
    expect(line).toContain('it looks like TLS: add --tls')
  })
})
