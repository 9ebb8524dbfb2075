/** A count for people: 1,000,000 (human-readable text only; JSON keeps plain numbers). */
export function thousands(value: number): string {
  return Number.isInteger(value) ? String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',') : String(value)
}
