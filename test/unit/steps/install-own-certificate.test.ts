import {expect} from 'chai'

import {installOwnCertificate} from '../../../src/steps/install-own-certificate.js'
import {deployContext} from '../support.js'

// What `gatling-root own-cert` does is tested with the script: test/unit/server/gatling-root.test.ts.
describe('steps/install-own-certificate', () => {
  it('sends the certificate and its key to gatling-root own-cert on stdin, marked secret, from the CLI only', () => {
    const ctx = deployContext({tls: {own: {certificate: 'CERT\n', key: 'KEY\n'}, hsts: false}})
    expect(installOwnCertificate.cliOnly).to.equal(true)
    expect(installOwnCertificate.skip?.(ctx)).to.equal(false)
    expect(installOwnCertificate.commands(ctx)).to.deep.equal([{script: 'sudo -n /usr/local/sbin/gatling-root own-cert hello', input: 'CERT\nKEY\n', secretInput: true}])
  })

  it('is skipped without a certificate of your own', () => {
    expect(installOwnCertificate.skip?.(deployContext())).to.match(/no certificate of your own/)
    expect(installOwnCertificate.commands(deployContext())).to.deep.equal([])
  })
})
