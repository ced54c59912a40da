import {expect} from 'chai'

import {hotUpgrade} from '../../../src/steps/hot-upgrade.js'
import {deployContext, onlyCommand} from '../support.js'

// What `gatling-deploy hot-upgrade` does is tested with the tool: test/unit/server/gatling-deploy.test.ts.
describe('steps/hot-upgrade', () => {
  it('runs gatling-deploy hot-upgrade as the deploy user', () => {
    expect(hotUpgrade.title).to.equal('Hot upgrade the running node')
    expect(onlyCommand(hotUpgrade, deployContext())).to.deep.equal({script: '/srv/gatling/hello/tools/gatling-deploy hot-upgrade'})
    expect(onlyCommand(hotUpgrade, deployContext({app: 'hello_world'})).script).to.equal('/srv/gatling/hello_world/tools/gatling-deploy hot-upgrade')
  })

  it('keeps what happened (the last line) in the task title', () => {
    expect(hotUpgrade.reportsOutcome).to.equal(true)
  })
})
