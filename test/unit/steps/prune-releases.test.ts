import {expect} from 'chai'

import {pruneReleases} from '../../../src/steps/prune-releases.js'
import {deployContext, onlyCommand} from '../support.js'

// What `gatling-root prune` keeps is tested with the script: test/unit/server/gatling-root.test.ts.
describe('steps/prune-releases', () => {
  it('runs gatling-root prune with keepReleases from gatling.json', () => {
    expect(onlyCommand(pruneReleases, deployContext({app: 'hello_world', keepReleases: 3}))).to.deep.equal({script: 'sudo -n /usr/local/sbin/gatling-root prune hello_world 3'})
  })
})
