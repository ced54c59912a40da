import {expect} from 'chai'

import {installSystemdUnit} from '../../../src/steps/install-systemd-unit.js'
import {deployContext, onlyCommand} from '../support.js'

// What `gatling-root unit` does is tested with the script: test/unit/server/gatling-root.test.ts.
describe('steps/install-systemd-unit', () => {
  it('runs gatling-root unit for the app', () => {
    expect(onlyCommand(installSystemdUnit, deployContext())).to.deep.equal({script: 'sudo -n /usr/local/sbin/gatling-root unit hello'})
  })
})
