import {expect} from 'chai'

import {installRelease} from '../../../src/steps/install-release.js'
import {deployContext, onlyCommand} from '../support.js'

// What `gatling-root install-release` does is tested with the script: test/unit/server/gatling-root.test.ts.
describe('steps/install-release', () => {
  it('runs gatling-root install-release with the version set-release-version left in state/vsn', () => {
    expect(onlyCommand(installRelease, deployContext())).to.deep.equal({script: 'sudo -n /usr/local/sbin/gatling-root install-release hello "$(cat /srv/gatling/hello/state/vsn)"'})
  })
})
