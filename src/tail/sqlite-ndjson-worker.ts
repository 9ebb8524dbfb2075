/** A worker thread of printSqliteNdjson: prints the pieces it is sent, one at a time. */
import { workerData } from 'node:worker_threads'
import { SqliteSource } from '../sources/sqlite/sqlite-source.js'
import { serveRequests } from '../threads/ordered-pool.js'
import { printPiece, type PieceRequest, type PieceResult, type PieceWorkerInput } from './sqlite-ndjson.js'

const input = workerData as PieceWorkerInput
const source = SqliteSource.open(input.store)

serveRequests<PieceRequest, PieceResult>((piece) => {
  const result = printPiece(source, piece, input.skipInvalid)
  return { result, transfer: [result.bytes.buffer as ArrayBuffer] }
})
