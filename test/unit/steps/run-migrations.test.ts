import {expect} from 'chai'

import {runMigrations} from '../../../src/steps/run-migrations.js'
import {deployContext, onlyCommand} from '../support.js'

// gatling-root migrate skips an app without APP.Release: test/unit/server/gatling-root.test.ts.
describe('steps/run-migrations', () => {
  it('runs gatling-root migrate with the new version and APP.Release, the module phx.gen.release makes', () => {
    expect(onlyCommand(runMigrations, deployContext({app: 'hello_world'}))).to.deep.equal({script: 'sudo -n /usr/local/sbin/gatling-root migrate hello_world "$(cat /srv/gatling/hello_world/state/vsn)" HelloWorld.Release'})
    expect(runMigrations.onlyIf, 'gatling-root decides whether there is anything to migrate').to.equal(undefined)
    expect(runMigrations.reportsOutcome).to.equal(true)
  })
})
