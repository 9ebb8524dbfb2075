/**
 * Credentials in source URIs never reach output: userinfo (`kafka://user:pass@host`,
 * `postgres://user:pass@host`) and password-like query parameters (`?password=`,
 * `?sasl_password=`, `?token=`, `?api_key=`, ...) are shown as `***`, for any scheme.
 */

const MASK = '***'

/** Query parameter names whose values are secrets (over-matching only hides harmless text). */
const SECRET_PARAM = /pass|pwd|secret|token|key|auth|credential|signature|^sig$|session|cookie|bearer/i

/**
 * `name=value` in a query (`?`, `&` or `;` before it), the value up to the next separator; a
 * `:`, `,` or `.` that ends it is the message's own ("URI: what is wrong").
 */
const QUERY_PARAM = /([?&;])([^=&;?#\s"'<>]+)=([^&;#\s"'<>]*?)(?=[:,.)\]]*(?:[&;#\s"'<>]|$))/g

/**
 * `scheme://userinfo@`: userinfo runs up to the last `@` before the path, so a password with an
 * unencoded `@` is hidden whole.
 */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#"'<>]*)@/gi

function maskUserinfo(_match: string, scheme: string, userinfo: string): string {
  const colon = userinfo.indexOf(':')
  // A user name alone may itself be a token (https://TOKEN@host): hide it too.
  return colon === -1 ? `${scheme}${MASK}@` : `${scheme}${userinfo.slice(0, colon)}:${MASK}@`
}

function maskParam(match: string, separator: string, name: string, value: string): string {
  if (value === '' || !SECRET_PARAM.test(decodeName(name))) return match
  return `${separator}${name}=${MASK}`
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name)
  } catch {
    return name
  }
}

/** A source URI (or path) as it may be shown: credentials replaced by `***`. */
export function redactUri(uri: string): string {
  return redactSecrets(uri)
}

/**
 * Text that may quote URIs (error messages, stacks, warnings) with every credential in it masked.
 * Only text after `?`, `&` or `;` that looks like `name=value` is touched, and userinfo after `://`.
 */
export function redactSecrets(text: string): string {
  if (!text.includes('@') && !text.includes('=')) return text
  return text.replace(USERINFO, maskUserinfo).replace(QUERY_PARAM, maskParam)
}

/** Masks credentials in an error's message and stack, in place (oclif prints both as they are). */
export function redactError<T>(error: T): T {
  if (error instanceof Error) {
    error.message = redactSecrets(error.message)
    if (error.stack !== undefined) error.stack = redactSecrets(error.stack)
  }
  return error
}
