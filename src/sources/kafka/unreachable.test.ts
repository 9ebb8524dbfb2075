import { describe, expect, it } from 'vitest'
import { unreachableReason } from './unreachable.js'

// The messages are what kafkajs and Node printed against a real broker (test/kafka/auth.test.ts).
describe('unreachableReason', () => {
  it('an untrusted broker certificate points at --tls-ca and --tls-insecure', () => {
    const text = unreachableReason('Connection error: self-signed certificate in certificate chain', { tls: true, sasl: false })
    expect(text).toBe("the broker's TLS certificate is not trusted (self-signed certificate in certificate chain); name the CA that signed it with --tls-ca FILE (KAFKA_TLS_CA), or skip the check with --tls-insecure")
  })

  it('an OpenSSL alert becomes its name, on one line, pointing at client certificates', () => {
    const reason = 'Connection error: 80EC8984B47F0000:error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 42\n'
    const text = unreachableReason(reason, { tls: true, sasl: false })
    expect(text).toBe('the broker refused the TLS handshake (bad certificate); a listener that asks for client certificates needs --tls-cert FILE and --tls-key FILE')
    expect(text).not.toContain('\n')
  })

  it('a closed connection without TLS asks whether the listener wants TLS or SASL', () => {
    expect(unreachableReason('Closed connection', { tls: false, sasl: false })).toBe('the broker closed the connection (Closed connection); is it a TLS or SASL listener? add --tls, or --sasl-mechanism with a user')
    expect(unreachableReason('Closed connection', { tls: false, sasl: true })).toMatch(/is it a TLS listener\? add --tls$/)
  })

  it('anything else keeps the old advice', () => {
    expect(unreachableReason('Connection error: connect ECONNREFUSED 127.0.0.1:1', { tls: false, sasl: false })).toBe('cannot reach the broker (connect ECONNREFUSED 127.0.0.1:1); check the address (--brokers, KAFKA_BROKERS) and TLS settings')
  })
})
