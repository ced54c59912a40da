import {expect} from 'chai'

import {runPipeline} from '../../../src/pipeline/runner.js'
import {restartPipeline, stopPipeline} from '../../../src/pipelines/restart.js'
import {startInstance} from '../../../src/steps/start-instance.js'
import {checkInstanceHealth} from '../../../src/steps/check-instance-health.js'
import {switchTraffic} from '../../../src/steps/switch-traffic.js'
import {FakeServer, deployContext, localConnection, quietly, scriptsOf, shSyntaxCheck} from '../support.js'

describe('pipelines/restart', () => {
  it("restarts the current release with the deploy's own zero-downtime steps, no build, no new record", () => {
    expect(restartPipeline.map((s) => s.title)).to.deep.equal(['Plan the restart of the current release', 'Start the new release', 'Health check of the new release', 'Switch traffic to the new release', 'Health check through nginx'])
    for (const step of [startInstance, checkInstanceHealth, switchTraffic]) expect(restartPipeline).to.include(step)
    expect(stopPipeline.map((s) => s.title)).to.deep.equal(['Stop the app'])
  })

  it('produces only shell text that `sh -n` accepts', () => {
    for (const step of [...restartPipeline, ...stopPipeline]) {
      for (const script of scriptsOf(step, deployContext())) expect(shSyntaxCheck(script).status, script).to.equal(0)
    }
  })

  describe('run by the task tree against stub programs', function () {
    this.timeout(20_000)
    let server: FakeServer
    beforeEach(() => {
      server = new FakeServer()
      server.stubDeployTool()
    })
    afterEach(() => server.cleanup())

    const calls = () => server.calls().flatMap(([program, ...args]) => (program === 'gatling-deploy' ? [`deploy ${args.join(' ')}`] : program === 'sudo' ? [`root ${args.slice(2).join(' ')}`] : []))

    it('plans, starts beside, checks, switches, checks through nginx', async () => {
      const {connection} = localConnection(server.env, (script) => server.here(script))
      await quietly(() => runPipeline(restartPipeline, deployContext(), connection, {plain: true, dryRun: false, print: () => {}}))
      expect(calls()).to.deep.equal(['deploy plan-restart', 'deploy start', 'deploy health-instance /health example.com', 'root switch hello 4001 /health example.com', 'deploy health-nginx /health example.com'])
    })

    it('stops every instance through the deploy tool', async () => {
      const {connection} = localConnection(server.env, (script) => server.here(script))
      await quietly(() => runPipeline(stopPipeline, deployContext(), connection, {plain: true, dryRun: false, print: () => {}}))
      expect(calls()).to.deep.equal(['deploy stop'])
    })
  })
})
