// What a visitor's browser is served: the certificate a server's port 443 presents for a host name (SNI).
import {connect} from 'node:tls'

export interface ServedCertificate {
  domain: string
  /** HTTPS answers for the domain with a certificate that covers it and is valid now. */
  served: boolean
  /** The issuer's common name (or organisation) of that certificate; null when none covers the domain. */
  issuer: string | null
  /** Its expiry, ISO 8601. */
  expires: string | null
  daysLeft: number | null
  /** The certificate verifies against this machine's trusted CAs (false for a private CA it does not know). */
  trusted: boolean
  /** Why nothing was served (the TLS handshake failed, or the certificate is for other names). */
  problem?: string
}

const DAY_MS = 86_400_000

/** The certificate ADDRESS:443 serves for DOMAIN (a wildcard's: for a name below it); PORT only for tests. */
export function servedCertificate(address: string, domain: string, timeoutMs = 5000, now = new Date(), port = 443): Promise<ServedCertificate> {
  const name = domain.replace(/^\*\./, 'www.')
  const none = (problem: string): ServedCertificate => ({domain, served: false, issuer: null, expires: null, daysLeft: null, trusted: false, problem})
  return new Promise((resolve) => {
    const socket = connect({host: address, port, servername: name, rejectUnauthorized: false, timeout: timeoutMs}, () => {
      const cert = socket.getPeerX509Certificate()
      const trusted = socket.authorized
      socket.end()
      if (!cert) return resolve(none('no certificate'))
      if (cert.checkHost(name) === undefined) return resolve(none(`the certificate served is for ${cert.subjectAltName ?? cert.subject}`))
      const expires = new Date(cert.validTo)
      const issuer = /(?:^|\n)CN=([^\n]+)/.exec(cert.issuer)?.[1] ?? /(?:^|\n)O=([^\n]+)/.exec(cert.issuer)?.[1] ?? cert.issuer
      const valid = new Date(cert.validFrom) <= now && now < expires
      resolve({domain, served: valid, issuer, expires: expires.toISOString(), daysLeft: Math.floor((expires.getTime() - now.getTime()) / DAY_MS), trusted, ...(valid ? {} : {problem: 'the certificate has expired'})})
    })
    socket.on('timeout', () => {
      socket.destroy()
      resolve(none(`no answer on port 443 within ${timeoutMs / 1000} s`))
    })
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(none(error.code === 'ECONNREFUSED' ? `nothing listens on port ${port}` : error.message)))
  })
}
