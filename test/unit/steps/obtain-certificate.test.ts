import {expect} from 'chai'

import {obtainCertificate} from '../../../src/steps/obtain-certificate.js'
import {deployContext} from '../support.js'

// What `gatling-root cert` does is tested with the script: test/unit/server/gatling-root.test.ts.
describe('steps/obtain-certificate', () => {
  const acme = {email: 'ops@example.com', directory: 'https://acme-v02.api.letsencrypt.org/directory'}

  it('runs gatling-root cert for every domain, then rewrites the site so the covered domains serve over HTTPS', () => {
    const ctx = deployContext({domains: ['example.com', 'www.example.com'], tls: {acme, hsts: true}})
    expect(obtainCertificate.skip?.(ctx)).to.equal(false)
    expect(obtainCertificate.commands(ctx).map((c) => c.script)).to.deep.equal([
      'sudo -n /usr/local/sbin/gatling-root cert hello ops@example.com https://acme-v02.api.letsencrypt.org/directory example.com www.example.com',
      'sudo -n /usr/local/sbin/gatling-root site hello --hsts example.com www.example.com',
    ])
  })

  it('is skipped without HTTPS, and with your own certificate', () => {
    expect(obtainCertificate.skip?.(deployContext())).to.match(/no HTTPS/)
    expect(obtainCertificate.commands(deployContext())).to.deep.equal([])
    expect(obtainCertificate.skip?.(deployContext({tls: {own: {certificate: 'c', key: 'k'}, hsts: false}}))).to.match(/your own certificate/)
  })
})
