/**
 * The nested types of each message of a .proto text in the order protoc gives them in the
 * descriptor's nested_type, which Confluent's message indexes count: nested messages and the
 * entry types of map fields (`map<..> foo_bar` makes `FooBarEntry`), in source order. protobufjs
 * keeps neither map entries nor their place, so the text is scanned here.
 * (Confluent's JavaScript serializer counts without map entries; Java, Go and Python count them.)
 */
export interface NestedEntry {
  name: string
  mapEntry: boolean
}

const entryName = (field: string) => `${field.replace(/(?:^|_)([a-z0-9])/g, (_, c: string) => c.toUpperCase())}Entry`

/** Full message name (no leading dot) -> its nested types in descriptor order. */
export function nestedOrder(text: string, pkg: string | undefined): Map<string, NestedEntry[]> {
  // Comments and strings out, so that braces and words in them do not count.
  const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, ' ')
  const order = new Map<string, NestedEntry[]>()
  const stack: Array<string | undefined> = []
  const token = /\b(message|enum|oneof|service|extend)\s+([\w.]+)\s*\{|\bmap\s*<[^>]*>\s*(\w+)|[{}]/g
  for (const match of code.matchAll(token)) {
    const parent = stack.length === 0 ? undefined : stack[stack.length - 1]
    if (match[1] === 'message') {
      const name = parent !== undefined ? `${parent}.${match[2]}` : `${pkg ? `${pkg}.` : ''}${match[2]}`
      if (parent !== undefined) order.get(parent)?.push({ name, mapEntry: false })
      order.set(name, [])
      stack.push(name)
    } else if (match[1] !== undefined) {
      stack.push(undefined)
    } else if (match[3] !== undefined) {
      if (parent !== undefined) order.get(parent)?.push({ name: `${parent}.${entryName(match[3])}`, mapEntry: true })
    } else if (match[0] === '{') {
      stack.push(undefined)
    } else {
      stack.pop()
    }
  }
  return order
}
