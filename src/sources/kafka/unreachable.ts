/**
 * Why a connection to the brokers failed, in words that say what to change. `reason` is the
 * client's message (Node's TLS errors, OpenSSL alerts); `tls` and `sasl` are what was asked for.
 */
export function unreachableReason(reason: string, options: { tls: boolean; sasl: boolean }): string {
  // OpenSSL's messages run over lines and name source files: keep the alert.
  const alert = /alert ([a-z ]+?)(?::|\s*$|\n)/i.exec(reason)?.[1]?.trim()
  const short = alert ?? reason.replace(/^Connection error:\s*/i, '').split('\n')[0].trim()
  if (/self[- ]signed certificate|unable to (verify|get local issuer)|certificate (has expired|is not yet valid)|CERT_|unknown ca/i.test(reason)) {
    return `the broker's TLS certificate is not trusted (${short}); name the CA that signed it with --tls-ca FILE (KAFKA_TLS_CA), or skip the check with --tls-insecure`
  }
  if (/Hostname\/IP does not match|ERR_TLS_CERT_ALTNAME_INVALID/i.test(reason)) {
    return `the broker's TLS certificate is for another host name (${short}); connect by a name the certificate lists, or skip the check with --tls-insecure`
  }
  if (/bad certificate|certificate required|handshake failure/i.test(reason)) {
    return `the broker refused the TLS handshake (${short}); a listener that asks for client certificates needs --tls-cert FILE and --tls-key FILE`
  }
  if (options.tls && /wrong version number|packet length too long|unknown protocol/i.test(reason)) {
    return `the broker does not speak TLS there (${short}); drop --tls for a plain-text listener`
  }
  if (!options.tls && /Closed connection|ECONNRESET|socket hang up/i.test(reason)) {
    const hint = options.sasl ? 'is it a TLS listener? add --tls' : 'is it a TLS or SASL listener? add --tls, or --sasl-mechanism with a user'
    return `the broker closed the connection (${short}); ${hint}`
  }
  return `cannot reach the broker (${short}); check the address (--brokers, KAFKA_BROKERS) and TLS settings`
}
