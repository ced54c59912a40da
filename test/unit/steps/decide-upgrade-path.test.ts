import {expect} from 'chai'

import {decideUpgradePath} from '../../../src/steps/decide-upgrade-path.js'
import {deployContext, onlyCommand} from '../support.js'

describe('steps/decide-upgrade-path', () => {
  it('runs gatling-deploy decide, with --restart when the push asked for it', () => {
    expect(onlyCommand(decideUpgradePath, deployContext()).script).to.equal('/srv/gatling/hello/tools/gatling-deploy decide')
    expect(onlyCommand(decideUpgradePath, deployContext({forceRestart: false})).script).to.equal('/srv/gatling/hello/tools/gatling-deploy decide')
    expect(onlyCommand(decideUpgradePath, deployContext({forceRestart: true})).script).to.equal('/srv/gatling/hello/tools/gatling-deploy decide --restart')
  })

  it('keeps its verdict (the last line) in the task title', () => {
    expect(decideUpgradePath.reportsOutcome).to.equal(true)
  })
})
