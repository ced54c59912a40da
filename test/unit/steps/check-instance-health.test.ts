import {expect} from 'chai'

import {HEALTH_TIMEOUT_S, checkInstanceHealth} from '../../../src/steps/check-instance-health.js'
import {renderDeployTool} from '../../../src/steps/install-deploy-hook.js'
import {deployContext, onlyCommand} from '../support.js'

describe('steps/check-instance-health', () => {
  it('runs gatling-deploy health-instance with the health path and the host name a visitor uses', () => {
    expect(onlyCommand(checkInstanceHealth, deployContext()).script).to.equal('/srv/gatling/hello/tools/gatling-deploy health-instance /health example.com')
    expect(onlyCommand(checkInstanceHealth, deployContext({healthPath: "/it's up"})).script).to.equal(`/srv/gatling/hello/tools/gatling-deploy health-instance '/it'\\''s up' example.com`)
  })

  it('gives the new instance HEALTH_TIMEOUT_S seconds, rendered into the deploy tool', () => {
    expect(HEALTH_TIMEOUT_S).to.equal(30)
    expect(renderDeployTool(deployContext())).to.contain(`\nHEALTH_TIMEOUT_S=${HEALTH_TIMEOUT_S}\n`)
  })
})
