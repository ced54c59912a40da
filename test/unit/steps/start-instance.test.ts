import {expect} from 'chai'

import {startInstance} from '../../../src/steps/start-instance.js'
import {deployContext, onlyCommand} from '../support.js'

// What `gatling-deploy start` does is tested with the tool: test/unit/server/gatling-deploy.test.ts.
describe('steps/start-instance', () => {
  it('runs gatling-deploy start as the deploy user', () => {
    expect(startInstance.title).to.equal('Start the new release')
    expect(onlyCommand(startInstance, deployContext())).to.deep.equal({script: '/srv/gatling/hello/tools/gatling-deploy start'})
    expect(onlyCommand(startInstance, deployContext({app: 'hello_world'})).script).to.equal('/srv/gatling/hello_world/tools/gatling-deploy start')
  })
})
