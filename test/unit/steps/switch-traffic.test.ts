import {expect} from 'chai'

import {switchTraffic} from '../../../src/steps/switch-traffic.js'
import {deployContext, onlyCommand} from '../support.js'

// What `gatling-root switch` does is tested with the script: test/unit/server/gatling-root.test.ts.
describe('steps/switch-traffic', () => {
  it('runs gatling-root switch to the port start-instance left, with the health path and host name', () => {
    expect(onlyCommand(switchTraffic, deployContext({domains: ['*.example.com']}))).to.deep.equal({
      script: 'sudo -n /usr/local/sbin/gatling-root switch hello "$(cat /srv/gatling/hello/state/port)" /health www.example.com',
    })
    expect(onlyCommand(switchTraffic, deployContext({domains: []})).script).to.match(/ \/health 203\.0\.113\.10$/)
    expect(switchTraffic.reportsOutcome).to.equal(true)
  })
})
