import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {validateProjectConfig} from '../../../src/config/project.js'
import {ACME_DIRECTORIES, tlsSettings} from '../../../src/config/tls.js'
import {tempDir} from '../support.js'

/** openssl req -x509: a self-signed certificate for NAMES in DIR/NAME.crt and DIR/NAME.key. */
function certificate(dir: string, name: string, names: string[], ca = false): void {
  const run = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '30',
    '-subj', `/CN=${names[0]}`, '-addext', `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`, '-addext', `basicConstraints=critical,CA:${ca ? 'TRUE' : 'FALSE'}`], {cwd: dir, encoding: 'utf8'})
  if (run.status !== 0) throw new Error(run.stderr)
}

describe('config/tls', () => {
  let dir: string
  let cleanup: () => void
  before(() => {
    ;({dir, cleanup} = tempDir())
    certificate(dir, 'site', ['example.com', 'www.example.com'])
    certificate(dir, 'other', ['other.com'])
    certificate(dir, 'ca', ['Private ACME CA'], true)
  })
  after(() => cleanup())

  const settings = (tls: unknown, domains: unknown = ['example.com']) => tlsSettings(validateProjectConfig({domains, tls}, () => {}), dir)

  it("gets certificates from Let's Encrypt by default, its staging by name, or any ACME directory", () => {
    expect(settings({email: 'ops@example.com'})).to.deep.equal({hsts: false, acme: {email: 'ops@example.com', directory: ACME_DIRECTORIES.letsencrypt}})
    expect(settings({email: 'ops@example.com', acme: 'staging', hsts: true})).to.deep.equal({hsts: true, acme: {email: 'ops@example.com', directory: ACME_DIRECTORIES.staging}})
    expect(settings({email: 'ops@example.com', acme: 'https://ca.internal/acme/directory'})?.acme?.directory).to.equal('https://ca.internal/acme/directory')
    expect(tlsSettings(validateProjectConfig({domains: ['example.com']}, () => {}), dir)).to.equal(undefined)
  })

  it('refuses a bad e-mail, ACME URL or HSTS value when gatling.json is read, before any change', () => {
    expect(() => settings({email: 'ops'})).to.throw(/"tls\.email" must be an e-mail address like ops@example\.com, not "ops"/)
    expect(() => settings({email: 'ops@example.com', acme: 'http://acme.example.com/dir'})).to.throw(/"tls\.acme" must be "letsencrypt", "staging" or an ACME directory URL/)
    expect(() => settings({email: 'ops@example.com', hsts: 'yes'})).to.throw(/"tls\.hsts" must be true or false/)
    const warnings: string[] = []
    validateProjectConfig({tls: {emial: 'ops@example.com'}}, (w) => warnings.push(w))
    expect(warnings).to.deep.equal(['gatling.json: unknown key "tls.emial" is ignored: did you mean email?'])
  })

  it('needs a domain, and no wildcard over HTTP-01', () => {
    expect(() => settings({email: 'ops@example.com'}, [])).to.throw(/needs at least one domain/)
    expect(() => settings({email: 'ops@example.com'}, ['*.example.com'])).to.throw(/\*\.example\.com cannot get a certificate over HTTP-01/)
    expect(() => settings({hsts: true})).to.throw(/needs tls\.email .* or tls\.certificate and tls\.key/)
  })

  it("reads a private ACME server's CA certificates, and refuses what is no CA", () => {
    expect(settings({email: 'ops@example.com', acmeCa: 'ca.crt'})?.acmeCa).to.equal(readFileSync(join(dir, 'ca.crt'), 'utf8'))
    expect(() => settings({email: 'ops@example.com', acmeCa: 'site.crt'})).to.throw(/holds a certificate that is no CA/)
    expect(() => settings({email: 'ops@example.com', acmeCa: 'missing.pem'})).to.throw(/tls\.acmeCa "missing\.pem" cannot be read: ENOENT/)
    writeFileSync(join(dir, 'junk.pem'), 'junk\n')
    expect(() => settings({email: 'ops@example.com', acmeCa: 'junk.pem'})).to.throw(/junk\.pem holds no PEM certificate/)
  })

  it('checks your own certificate before upload: its key, its dates, the domains it covers', () => {
    expect(settings({certificate: 'site.crt', key: 'site.key'}, ['example.com', 'www.example.com'])?.own?.key).to.equal(readFileSync(join(dir, 'site.key'), 'utf8'))
    expect(() => settings({certificate: 'site.crt', key: 'other.key'})).to.throw(/tls\.key does not belong to the certificate in site\.crt/)
    expect(() => settings({certificate: 'site.crt', key: 'site.key'}, ['example.com', 'shop.example.com'])).to.throw(/does not cover shop\.example\.com/)
    expect(() => tlsSettings(validateProjectConfig({domains: ['example.com'], tls: {certificate: 'site.crt', key: 'site.key'}}, () => {}), dir, new Date(Date.now() + 60 * 86_400_000))).to.throw(/site\.crt expired on/)
    expect(() => settings({certificate: 'site.crt'})).to.throw(/go together/)
    expect(() => settings({certificate: 'site.crt', key: 'site.key', email: 'ops@example.com'})).to.throw(/keep one/)
  })
})
