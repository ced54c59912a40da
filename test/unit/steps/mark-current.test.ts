import {expect} from 'chai'

import {markCurrent} from '../../../src/steps/mark-current.js'
import {deployContext, onlyCommand} from '../support.js'

// What `gatling-deploy mark-current` does is tested with the tool: test/unit/server/gatling-deploy.test.ts.
describe('steps/mark-current', () => {
  it('runs gatling-deploy mark-current as the deploy user', () => {
    expect(markCurrent.title).to.equal('Mark the release current')
    expect(onlyCommand(markCurrent, deployContext({operator: 'Jane Doe <jane@example.com>'}))).to.deep.equal({script: "/srv/gatling/hello/tools/gatling-deploy mark-current 'Jane Doe <jane@example.com>' deploy"})
    expect(onlyCommand(markCurrent, deployContext({app: 'hello_world', operator: 'git push', rollback: true})).script).to.equal("/srv/gatling/hello_world/tools/gatling-deploy mark-current 'git push' rollback")
  })
})
