import {expect} from 'chai'

import {planRollback} from '../../../src/steps/plan-rollback.js'
import {deployContext, onlyCommand} from '../support.js'

// Which release it picks is tested with the tool: test/unit/server/gatling-deploy.test.ts.
describe('steps/plan-rollback', () => {
  it('runs gatling-deploy plan-rollback, with the version asked for', () => {
    expect(onlyCommand(planRollback, deployContext())).to.deep.equal({script: '/srv/gatling/hello/tools/gatling-deploy plan-rollback'})
    expect(onlyCommand(planRollback, deployContext({rollbackTo: '0.1.0+3'})).script).to.equal('/srv/gatling/hello/tools/gatling-deploy plan-rollback 0.1.0+3')
    expect(onlyCommand(planRollback, deployContext({rollbackTo: "x'; id"})).script).to.equal(`/srv/gatling/hello/tools/gatling-deploy plan-rollback 'x'\\''; id'`)
    expect(planRollback.reportsOutcome).to.equal(true)
  })
})
