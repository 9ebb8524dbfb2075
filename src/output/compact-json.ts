const MAX_DEPTH = 512
const nesting = new Uint8Array(MAX_DEPTH) // 1: object, 0: array

const enum Expect { Value, Key, Colon, After }

/**
 * Whether `text` is one JSON value (RFC 8259) with no whitespace between tokens, so that it can
 * go into an NDJSON line as it is stored. Valid JSON with spaces or newlines, or nested deeper
 * than 512, gives false too: callers parse and re-serialise those. Checking is a few times
 * cheaper than JSON.parse, which builds every object only for it to be printed again.
 */
export function isCompactJson(text: string): boolean {
  const n = text.length
  let depth = 0
  let state = Expect.Value
  let i = 0
  while (i < n) {
    const c = text.charCodeAt(i)
    switch (state) {
      case Expect.After:
        if (depth === 0) return false
        if (c === 44 /* , */) {
          state = nesting[depth - 1] === 1 ? Expect.Key : Expect.Value
          i++
          continue
        }
        if (c === (nesting[depth - 1] === 1 ? 125 /* } */ : 93 /* ] */)) {
          depth--
          i++
          continue
        }
        return false
      case Expect.Colon:
        if (c !== 58 /* : */) return false
        state = Expect.Value
        i++
        continue
      case Expect.Key:
        if (c !== 34) return false
        i = stringEnd(text, i + 1)
        if (i < 0) return false
        state = Expect.Colon
        continue
      default:
        if (c === 34 /* " */) {
          i = stringEnd(text, i + 1)
          if (i < 0) return false
        } else if (c === 123 /* { */ || c === 91 /* [ */) {
          if (depth === MAX_DEPTH) return false
          if (text.charCodeAt(i + 1) === c + 2 /* } or ] */) {
            i += 2 // empty
          } else {
            nesting[depth++] = c === 123 ? 1 : 0
            state = c === 123 ? Expect.Key : Expect.Value
            i++
            continue
          }
        } else if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
          i = numberEnd(text, i)
          if (i < 0) return false
        } else if (c === 116 /* t */) {
          if (!text.startsWith('true', i)) return false
          i += 4
        } else if (c === 102 /* f */) {
          if (!text.startsWith('false', i)) return false
          i += 5
        } else if (c === 110 /* n */) {
          if (!text.startsWith('null', i)) return false
          i += 4
        } else return false
        state = Expect.After
    }
  }
  return state === Expect.After && depth === 0
}

/** Index after the closing quote of a string whose body starts at `i`; -1 if it is not valid. */
function stringEnd(text: string, i: number): number {
  const n = text.length
  while (i < n) {
    const c = text.charCodeAt(i++)
    if (c === 34) return i
    if (c < 32) return -1
    if (c === 92 /* \ */) {
      const e = text.charCodeAt(i++)
      if (e === 117 /* u */) {
        for (let k = 0; k < 4; k++) if (!isHex(text.charCodeAt(i++))) return -1
      } else if (e !== 34 && e !== 92 && e !== 47 && e !== 98 && e !== 102 && e !== 110 && e !== 114 && e !== 116) return -1
    }
  }
  return -1
}

const isDigit = (c: number) => c >= 48 && c <= 57
const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)

/** Index after a number starting at `i`; -1 if it is not valid JSON number syntax. */
function numberEnd(text: string, i: number): number {
  if (text.charCodeAt(i) === 45) i++
  let c = text.charCodeAt(i)
  if (c === 48) i++
  else if (c >= 49 && c <= 57) while (isDigit(text.charCodeAt(++i)));
  else return -1
  if (text.charCodeAt(i) === 46 /* . */) {
    if (!isDigit(text.charCodeAt(++i))) return -1
    while (isDigit(text.charCodeAt(++i)));
  }
  c = text.charCodeAt(i)
  if (c === 101 || c === 69 /* e E */) {
    c = text.charCodeAt(++i)
    if (c === 43 || c === 45) i++
    if (!isDigit(text.charCodeAt(i))) return -1
    while (isDigit(text.charCodeAt(++i)));
  }
  return i
}
