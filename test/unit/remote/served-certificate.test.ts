import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {type Server, createServer} from 'node:tls'

import {servedCertificate} from '../../../src/remote/served-certificate.js'
import {tempDir} from '../support.js'

describe('remote/served-certificate', () => {
  let dir: string
  let cleanup: () => void
  let server: Server
  let port: number

  before(async () => {
    ;({dir, cleanup} = tempDir())
    const run = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '10',
      '-subj', '/CN=example.com/O=Test Issuer', '-addext', 'subjectAltName=DNS:example.com,DNS:*.example.com'], {cwd: dir, encoding: 'utf8'})
    if (run.status !== 0) throw new Error(run.stderr)
    server = createServer({cert: readFileSync(join(dir, 'c.pem')), key: readFileSync(join(dir, 'k.pem'))}, (socket) => socket.end())
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as {port: number}).port
  })
  after(() => {
    server.close()
    cleanup()
  })

  it('reads the certificate served for a domain: issuer, expiry, days left, untrusted here (self-signed)', async () => {
    const served = await servedCertificate('127.0.0.1', 'example.com', 5000, new Date(), port)
    expect(served).to.include({domain: 'example.com', served: true, issuer: 'example.com', daysLeft: 9, trusted: false})
    expect(served.expires).to.match(/^\d{4}-\d\d-\d\dT/)
    expect((await servedCertificate('127.0.0.1', '*.example.com', 5000, new Date(), port)).served, 'a wildcard domain: a name below it').to.equal(true)
  })

  it('says why a domain is not served: a certificate for other names, an expired one, nothing on the port', async () => {
    const other = await servedCertificate('127.0.0.1', 'other.org', 5000, new Date(), port)
    expect(other).to.include({served: false, issuer: null, expires: null, daysLeft: null})
    expect(other.problem).to.match(/^the certificate served is for DNS:example\.com/)
    const later = await servedCertificate('127.0.0.1', 'example.com', 5000, new Date(Date.now() + 30 * 86_400_000), port)
    expect(later).to.include({served: false, problem: 'the certificate has expired'})
    const closed = await servedCertificate('127.0.0.1', 'example.com', 5000, new Date(), 1)
    expect(closed).to.include({served: false, problem: 'nothing listens on port 1'})
  })
})
