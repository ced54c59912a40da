import {expect} from 'chai'

import {installNginxSite} from '../../../src/steps/install-nginx-site.js'
import {deployContext, onlyCommand} from '../support.js'

// What `gatling-root site` does is tested with the script: test/unit/server/gatling-root.test.ts.
describe('steps/install-nginx-site', () => {
  it("runs gatling-root site with the app's domains", () => {
    expect(onlyCommand(installNginxSite, deployContext({domains: ['example.com', 'www.example.com']}))).to.deep.equal({script: 'sudo -n /usr/local/sbin/gatling-root site hello example.com www.example.com'})
    expect(onlyCommand(installNginxSite, deployContext({domains: ['*.example.com']})).script).to.equal("sudo -n /usr/local/sbin/gatling-root site hello '*.example.com'")
  })

  it('without a domain, the app answers every host name', () => {
    expect(onlyCommand(installNginxSite, deployContext({domains: []})).script).to.equal('sudo -n /usr/local/sbin/gatling-root site hello')
  })

  it('asks for HSTS when tls.hsts is set', () => {
    const tls = {acme: {email: 'ops@example.com', directory: 'https://acme.example.com/dir'}, hsts: true}
    expect(onlyCommand(installNginxSite, deployContext({tls})).script).to.equal('sudo -n /usr/local/sbin/gatling-root site hello --hsts example.com')
  })
})
