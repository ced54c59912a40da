import {expect} from 'chai'

import {trustAcmeCa} from '../../../src/steps/trust-acme-ca.js'
import {setupContext} from '../support.js'

describe('steps/trust-acme-ca', () => {
  const pem = '-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n'

  it("sends the private ACME server's CA certificates to gatling-root acme-ca on stdin, as root on setup's login, from the CLI only", () => {
    const ctx = {...setupContext(), acmeCa: {app: 'hello', pem}}
    expect(trustAcmeCa.cliOnly).to.equal(true)
    expect(trustAcmeCa.skip?.(ctx)).to.equal(false)
    expect(trustAcmeCa.commands(ctx)).to.deep.equal([{script: '/usr/local/sbin/gatling-root acme-ca hello', sudo: true, input: pem}])
  })

  it('is skipped without a private ACME server', () => {
    expect(trustAcmeCa.skip?.(setupContext())).to.match(/no private ACME CA/)
  })
})
