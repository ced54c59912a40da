// HTTPS settings from gatling.json's "tls", checked here before anything reaches a server: local
// files are read and their certificates parsed (node:crypto), so a bad one changes nothing.
import {X509Certificate, createPrivateKey} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {resolve} from 'node:path'

import {GatlingError, shown} from '../errors.js'
import type {ProjectConfig} from './project.js'

/** The ACME directories gatling knows by name (tls.acme); any other is a URL. */
export const ACME_DIRECTORIES = {
  letsencrypt: 'https://acme-v02.api.letsencrypt.org/directory',
  staging: 'https://acme-staging-v02.api.letsencrypt.org/directory',
} as const

export interface TlsSettings {
  /** A certificate from an ACME server over HTTP-01 (certbot on the server). */
  acme?: {email: string; directory: string}
  /** Your own certificate (PEM chain) and key (secret: never printed). */
  own?: {certificate: string; key: string}
  hsts: boolean
  /** PEM: the CA certificates of a private ACME server, trusted on the server. */
  acmeCa?: string
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g

/** Every certificate of a PEM text, or an error naming the file. */
export function pemCertificates(pem: string, file: string): X509Certificate[] {
  const blocks = pem.match(PEM_CERT) ?? []
  if (blocks.length === 0) throw new GatlingError(`${file} holds no PEM certificate ("-----BEGIN CERTIFICATE-----").`)
  return blocks.map((block) => {
    try {
      return new X509Certificate(block)
    } catch (error) {
      throw new GatlingError(`${file} holds a certificate that cannot be read: ${(error as Error).message}.`)
    }
  })
}

/** A name the certificate must cover for DOMAIN: a wildcard's, any name below it. */
const nameFor = (domain: string): string => domain.replace(/^\*\./, 'gatling-check.')

function read(dir: string, file: string, what: string): string {
  try {
    return readFileSync(resolve(dir, file), 'utf8')
  } catch (error) {
    throw new GatlingError(`gatling.json: ${what} ${shown(file)} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`)
  }
}

/** Your own certificate: the key matches it, it is valid now, and it covers every domain. */
export function checkOwnCertificate(certificate: string, key: string, domains: string[], file: string, now = new Date()): void {
  const [leaf] = pemCertificates(certificate, file)
  let privateKey
  try {
    privateKey = createPrivateKey(key)
  } catch {
    throw new GatlingError('gatling.json: tls.key is not a PEM private key (an encrypted key needs its passphrase removed first).')
  }
  if (!leaf.checkPrivateKey(privateKey)) throw new GatlingError(`gatling.json: tls.key does not belong to the certificate in ${file} (${leaf.subject.replaceAll('\n', ', ')}).`)
  if (new Date(leaf.validTo) <= now) throw new GatlingError(`The certificate in ${file} expired on ${new Date(leaf.validTo).toISOString().slice(0, 10)}: renew it and run again.`)
  if (new Date(leaf.validFrom) > now) throw new GatlingError(`The certificate in ${file} is not valid before ${new Date(leaf.validFrom).toISOString()}.`)
  const uncovered = domains.filter((d) => leaf.checkHost(nameFor(d)) === undefined)
  if (uncovered.length > 0) throw new GatlingError(`The certificate in ${file} does not cover ${uncovered.join(', ')} (it names ${leaf.subjectAltName ?? leaf.subject}): every domain of the app needs it.`)
}

/** The TLS settings of the project, or undefined when it has none. */
export function tlsSettings(config: ProjectConfig, dir: string, now = new Date()): TlsSettings | undefined {
  const tls = config.tls
  if (!tls) return undefined
  const domains = config.domains ?? []
  if (domains.length === 0) throw new GatlingError('gatling.json: "tls" needs at least one domain in "domains": a certificate names the host names visitors use.')
  if (tls.certificate === undefined && tls.key === undefined && tls.email === undefined) throw new GatlingError('gatling.json: "tls" needs tls.email (a certificate from Let\'s Encrypt or tls.acme) or tls.certificate and tls.key (your own).')
  if ((tls.certificate === undefined) !== (tls.key === undefined)) throw new GatlingError('gatling.json: tls.certificate and tls.key go together: give both.')
  const settings: TlsSettings = {hsts: tls.hsts ?? false}
  if (tls.certificate !== undefined && tls.key !== undefined) {
    if (tls.email !== undefined) throw new GatlingError('gatling.json: "tls" has both tls.email (ACME) and tls.certificate (your own): keep one.')
    const certificate = read(dir, tls.certificate, 'tls.certificate')
    const key = read(dir, tls.key, 'tls.key')
    checkOwnCertificate(certificate, key, domains, tls.certificate, now)
    settings.own = {certificate, key}
  } else if (tls.email !== undefined) {
    const wildcards = domains.filter((d) => d.startsWith('*.'))
    if (wildcards.length > 0) throw new GatlingError(`gatling.json: ${wildcards.join(', ')} cannot get a certificate over HTTP-01 (ACME issues wildcards only over DNS): bring your own with tls.certificate and tls.key.`)
    const acme = tls.acme ?? 'letsencrypt'
    settings.acme = {email: tls.email, directory: acme === 'letsencrypt' || acme === 'staging' ? ACME_DIRECTORIES[acme] : acme}
  }
  if (tls.acmeCa !== undefined) {
    const pem = read(dir, tls.acmeCa, 'tls.acmeCa')
    const certs = pemCertificates(pem, tls.acmeCa)
    const notCa = certs.filter((c) => !c.ca)
    if (notCa.length > 0) throw new GatlingError(`gatling.json: tls.acmeCa ${shown(tls.acmeCa)} holds a certificate that is no CA (${notCa[0].subject.replaceAll('\n', ', ')}): give the CA certificates of the ACME server.`)
    settings.acmeCa = `${certs.map((c) => c.toString().trim()).join('\n')}\n`
  }
  return settings
}
