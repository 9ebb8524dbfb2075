// A small Confluent-compatible schema registry on 127.0.0.1 for the tests: the endpoints that
// Confluent's own client (@confluentinc/schemaregistry) and rewind call, with basic auth.
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'

interface Stored {
  id: number
  guid: string
  schemaType: string
  schema: string
  references: Array<{ name: string; subject: string; version: number }>
}

export interface TinyRegistry {
  url: string
  /** Requests served, as "GET /schemas/ids/1". */
  requests: string[]
  close(): Promise<void>
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = ''
    req.setEncoding('utf8').on('data', (c) => (text += c)).on('end', () => resolve(text))
  })
}

export async function startRegistry(auth: { user: string; password: string; token?: string }): Promise<TinyRegistry> {
  const schemas: Stored[] = []
  const subjects = new Map<string, number[]>()
  const requests: string[] = []
  const expected = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    requests.push(`${req.method} ${url.pathname}`)
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' })
      res.end(JSON.stringify(value))
    }
    const bearer = auth.token === undefined ? undefined : `Bearer ${auth.token}`
    if (req.headers.authorization !== expected && (bearer === undefined || req.headers.authorization !== bearer)) return send(401, { error_code: 401, message: 'Unauthorized' })
    const parts = url.pathname.split('/').filter((p) => p !== '').map(decodeURIComponent)
    const answer = (s: Stored, subject?: string, version?: number) => ({ id: s.id, guid: s.guid, schemaType: s.schemaType, schema: s.schema, references: s.references, ...(subject && { subject, version }) })
    const find = (subject: string, schema: Stored) => (subjects.get(subject) ?? []).findIndex((id) => schemas[id - 1].schema === schema.schema)
    if (req.method === 'POST' && parts[0] === 'subjects') {
      const posted = JSON.parse(await body(req)) as Partial<Stored>
      const candidate = { schemaType: posted.schemaType ?? 'AVRO', schema: posted.schema!, references: posted.references ?? [] } as Stored
      const subject = parts[1]
      let at = find(subject, candidate)
      if (parts[2] === 'versions' && at === -1) {
        let stored = schemas.find((s) => s.schema === candidate.schema && s.schemaType === candidate.schemaType)
        if (stored === undefined) schemas.push((stored = { ...candidate, id: schemas.length + 1, guid: randomUUID() }))
        subjects.set(subject, [...(subjects.get(subject) ?? []), stored.id])
        at = subjects.get(subject)!.length - 1
      }
      if (at === -1) return send(404, { error_code: 40403, message: 'Schema not found' })
      return send(200, answer(schemas[subjects.get(subject)![at] - 1], subject, at + 1))
    }
    if (req.method === 'GET' && parts[0] === 'schemas' && parts[1] === 'ids') {
      const stored = schemas[Number(parts[2]) - 1]
      return stored === undefined ? send(404, { error_code: 40403, message: 'Schema not found' }) : send(200, answer(stored))
    }
    if (req.method === 'GET' && parts[0] === 'schemas' && parts[1] === 'guids') {
      const stored = schemas.find((s) => s.guid === parts[2])
      return stored === undefined ? send(404, { error_code: 40403, message: 'Schema not found' }) : send(200, answer(stored))
    }
    if (req.method === 'GET' && parts[0] === 'subjects' && parts[2] === 'versions' && parts[3] !== undefined) {
      const ids = subjects.get(parts[1]) ?? []
      const version = parts[3] === 'latest' ? ids.length : Number(parts[3])
      const id = ids[version - 1]
      return id === undefined ? send(404, { error_code: 40402, message: 'Version not found' }) : send(200, answer(schemas[id - 1], parts[1], version))
    }
    send(404, { error_code: 404, message: `not served here: ${req.method} ${url.pathname}` })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
