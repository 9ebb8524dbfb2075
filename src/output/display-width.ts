import { stripVTControlCharacters } from 'node:util'

/**
 * Columns a line of text takes on a terminal, without its colours: wide (East Asian wide and
 * fullwidth characters, emoji) count two, combining marks and zero-width characters none.
 * Printable ASCII, almost every cell of rewind's tables, is counted by length.
 */
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\u200b-\u200d\u2060\ufe00-\ufe0f\ufeff]$/u
const WIDE = /^[\p{Script=Han}\p{Script=Hangul}\p{Script=Hiragana}\p{Script=Katakana}\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\p{Extended_Pictographic}]$/u
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/

export function displayWidth(text: string): number {
  const plain = text.includes('\u001b') || text.includes('\u009b') ? stripVTControlCharacters(text) : text
  if (PRINTABLE_ASCII.test(plain)) return plain.length
  let width = 0
  for (const ch of plain) {
    if (ch.charCodeAt(0) < 0x7f) width += ch >= ' ' ? 1 : 0
    else if (ZERO_WIDTH.test(ch)) continue
    else width += WIDE.test(ch) && !/^[\u00a9\u00ae\u203c-\u2bff]$/.test(ch) ? 2 : 1
  }
  return width
}
