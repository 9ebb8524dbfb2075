import { describe, expect, it } from 'vitest'
import { redactSecrets, redactUri } from './redact-uri.js'

describe('redactUri', () => {
  it('hides the password of userinfo and keeps the user name, for any scheme', () => {
    expect(redactUri('kafka://bob:hunter2@127.0.0.1:9092/orders')).toBe('kafka://bob:***@127.0.0.1:9092/orders')
    expect(redactUri('postgres://app:s3cr%40t@db.internal:5432/events')).toBe('postgres://app:***@db.internal:5432/events')
    expect(redactUri('postgresql://app:p@ss@word@db/events')).toBe('postgresql://app:***@db/events')
  })

  it('hides userinfo without a colon, which may be a token', () => {
    expect(redactUri('https://ghp_abc123@github.com/x')).toBe('https://***@github.com/x')
  })

  it('hides password-like query parameters and keeps the others', () => {
    expect(redactUri('kafka://h:9092/t?password=hunter2&group=g1')).toBe('kafka://h:9092/t?password=***&group=g1')
    expect(redactUri('kafka://h:9092/t?sasl_password=x&sasl_username=bob')).toBe('kafka://h:9092/t?sasl_password=***&sasl_username=bob')
    expect(redactUri('sqlite:/data/bank.db?token=abc;apiKey=def&mode=ro')).toBe('sqlite:/data/bank.db?token=***;apiKey=***&mode=ro')
    expect(redactUri('postgres://db/e?sslpassword=a&client_secret=b&access_token=c&X-Amz-Signature=d')).toBe('postgres://db/e?sslpassword=***&client_secret=***&access_token=***&X-Amz-Signature=***')
  })

  it('leaves URIs without credentials alone', () => {
    for (const uri of ['kafka://[::1]:9092/orders', 'sqlite:bank.db#events', 'kafka:///orders', '/tmp/a@b/x.ndjson', 'file:///work/x.js:3:9']) {
      expect(redactUri(uri)).toBe(uri)
    }
  })
})

describe('redactSecrets', () => {
  it('masks every URI inside a message or a stack', () => {
    const stack = 'UserError: kafka://u:pw1@h:1/t?password=pw2: no topic\n    at parse (file:///work/dist/x.js:1:2)'
    const masked = redactSecrets(stack)
    expect(masked).not.toMatch(/pw1|pw2/)
    expect(masked).toContain('at parse (file:///work/dist/x.js:1:2)')
  })

  it('keeps the punctuation that follows a URI in a sentence', () => {
    expect(redactSecrets('kafka://h:1/t?password=pw: no topic')).toBe('kafka://h:1/t?password=***: no topic')
    expect(redactSecrets('(sqlite:x.db?token=pw).')).toBe('(sqlite:x.db?token=***).')
  })

  it('keeps expressions and flags that merely contain "="', () => {
    expect(redactSecrets('--where "data.key=3"; see rewind tail --help')).toBe('--where "data.key=3"; see rewind tail --help')
  })
})
