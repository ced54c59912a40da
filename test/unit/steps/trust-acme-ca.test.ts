import {expect} from 'chai'

import {trustAcmeCa} from '../../../src/steps/trust-acme-ca.js'
import {deployContext} from '../support.js'

describe('steps/trust-acme-ca', () => {
  const acme = {email: 'ops@example.com', directory: 'https://ca.internal/acme/directory'}

  it("sends the private ACME server's CA certificates to gatling-root acme-ca on stdin, from the CLI only", () => {
    const ctx = deployContext({tls: {acme, hsts: false, acmeCa: '-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n'}})
    expect(trustAcmeCa.cliOnly).to.equal(true)
    expect(trustAcmeCa.skip?.(ctx)).to.equal(false)
    expect(trustAcmeCa.commands(ctx)).to.deep.equal([{script: 'sudo -n /usr/local/sbin/gatling-root acme-ca hello', input: ctx.tls!.acmeCa}])
  })

  it('is skipped for a public ACME server', () => {
    expect(trustAcmeCa.skip?.(deployContext({tls: {acme, hsts: false}}))).to.match(/no private ACME CA/)
  })
})
