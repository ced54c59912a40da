import {expect} from 'chai'

import {prepareApp} from '../../../src/steps/prepare-app.js'
import {FakeServer, deployContext, okResult, onlyCommand} from '../support.js'

describe('steps/prepare-app', () => {
  it('runs gatling-root app-init', () => {
    expect(onlyCommand(prepareApp, deployContext())).to.deep.equal({script: 'sudo -n /usr/local/sbin/gatling-root app-init hello'})
  })

  it('asks for a new login when the deploy user just joined the group, and only then', () => {
    const ctx = deployContext()
    prepareApp.after!(ctx, [okResult('ports 4000 4001\n')])
    expect(ctx.needsNewLogin).to.equal(undefined)
    prepareApp.after!(ctx, [okResult('created user hello\nadded gatling to group hello (takes effect at its next login)\n')])
    expect(ctx.needsNewLogin).to.equal(true)
  })

  it("understands what gatling-root app-init really prints, the first time and after", function () {
    this.timeout(20_000) // two real app-inits with stub programs: slow on a loaded machine
    const server = new FakeServer()
    try {
      const first = deployContext()
      prepareApp.after!(first, [okResult(server.initApp().stdout)])
      expect(first.needsNewLogin).to.equal(true)
      const again = deployContext()
      prepareApp.after!(again, [okResult(server.initApp().stdout)])
      expect(again.needsNewLogin).to.equal(undefined)
    } finally {
      server.cleanup()
    }
  })
})
