import {expect} from 'chai'

import {hotDowngrade} from '../../../src/steps/hot-downgrade.js'
import {deployContext, onlyCommand} from '../support.js'

// What `gatling-deploy hot-downgrade` does is tested with the tool: test/unit/server/gatling-deploy.test.ts.
describe('steps/hot-downgrade', () => {
  it('runs gatling-deploy hot-downgrade as the deploy user', () => {
    expect(hotDowngrade.title).to.equal('Hot downgrade the running node')
    expect(onlyCommand(hotDowngrade, deployContext())).to.deep.equal({script: '/srv/gatling/hello/tools/gatling-deploy hot-downgrade'})
    expect(onlyCommand(hotDowngrade, deployContext({app: 'hello_world'})).script).to.equal('/srv/gatling/hello_world/tools/gatling-deploy hot-downgrade')
  })

  it('keeps what happened (the last line) in the task title', () => {
    expect(hotDowngrade.reportsOutcome).to.equal(true)
  })
})
