/**
 * What rewind's views draw beyond ASCII: the ellipsis, the row marker, arrows, the middle dot,
 * plus-minus, the empty set, ink's single and round box lines. Each is one column wide and a
 * grapheme of its own whatever is around it, so that ink's measuring and splitting of text can
 * count them by code unit (src/cli/bundle.ts, terminal-output.ts) without Intl.Segmenter and
 * string-width's Unicode-property regexes, whose first use costs ~25 ms each. A test checks the
 * list against the string-width and tokenizer ink uses.
 */
export const NARROW_CHARACTERS = '…▶→←↑↓·±∅─│┌┐└┘├┤┬┴┼╭╮╰╯'
