import {expect} from 'chai'

import {setReleaseVersion} from '../../../src/steps/set-release-version.js'
import {deployContext, onlyCommand} from '../support.js'

// What `gatling-deploy version` does is tested with the tool: test/unit/server/gatling-deploy.test.ts.
describe('steps/set-release-version', () => {
  it('runs gatling-deploy version as the deploy user', () => {
    expect(setReleaseVersion.title).to.equal('Set the release version')
    expect(onlyCommand(setReleaseVersion, deployContext())).to.deep.equal({script: '/srv/gatling/hello/tools/gatling-deploy version'})
    expect(onlyCommand(setReleaseVersion, deployContext({app: 'hello_world'})).script).to.equal('/srv/gatling/hello_world/tools/gatling-deploy version')
  })
})
