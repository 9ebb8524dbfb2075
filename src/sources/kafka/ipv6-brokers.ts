/**
 * kafkajs splits a seed broker "HOST:PORT" at its first colon, so "[::1]:9092" becomes host "["
 * and port 0. rewind hands kafkajs a stand-in name for each bracketed IPv6 address and connects
 * sockets to the real address (socketFactory); messages show the address again.
 */
import net from 'node:net'
import tls from 'node:tls'

const byToken = new Map<string, string>()
const byAddress = new Map<string, string>()

/** "[::1]:9092" as kafkajs can take it ("rewind-ipv6-1:9092"); other brokers as they are. */
export function kafkajsBroker(broker: string): string {
  const match = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(broker)
  if (match === null) return broker
  let token = byAddress.get(match[1])
  if (token === undefined) {
    token = `rewind-ipv6-${byAddress.size + 1}`
    byAddress.set(match[1], token)
    byToken.set(token, match[1])
  }
  return `${token}:${match[2]}`
}

/** The address behind a stand-in name; any other host as it is. */
export function realHost(host: string): string {
  return byToken.get(host) ?? host
}

/** HOST:PORT for messages, an IPv6 address in brackets. */
export function brokerLabel(host: string, port: number): string {
  const real = realHost(host)
  return net.isIPv6(real) ? `[${real}]:${port}` : `${real}:${port}`
}

interface SocketOptions {
  host: string
  port: number
  ssl?: tls.ConnectionOptions | boolean | null
  onConnect: () => void
}

/** kafkajs' own socket factory, connecting to the real address of a stand-in name. */
export function socketFactory(): (options: SocketOptions) => net.Socket {
  return ({ host, port, ssl, onConnect }) => {
    const address = realHost(host)
    const socket = ssl
      ? tls.connect({ host: address, port, ...(net.isIP(address) === 0 && { servername: address }), ...(typeof ssl === 'object' ? ssl : {}) }, onConnect)
      : net.connect({ host: address, port }, onConnect)
    socket.setKeepAlive(true, 60_000)
    return socket
  }
}
