import {expect} from 'chai'

import {runPipeline} from '../../../src/pipeline/runner.js'
import {deployPipeline} from '../../../src/pipelines/deploy.js'
import {rollbackPipeline} from '../../../src/pipelines/rollback.js'
import {FakeServer, deployContext, localConnection, quietly, scriptsOf, shSyntaxCheck} from '../support.js'

const RESTART = ['Start the new release', 'Health check of the new release', 'Switch traffic to the new release']

describe('pipelines/rollback', () => {
  it('plans, then goes back hot where the node can, else with the same zero-downtime restart as a deploy', () => {
    expect(rollbackPipeline.map((s) => s.title)).to.deep.equal(['Plan the rollback', 'Hot downgrade the running node', ...RESTART, 'Health check through nginx', 'Mark the release current'])
  })

  it("forks on the same state/path as the deploy, with the deploy's restart steps", () => {
    const ctx = deployContext()
    const guard = (title: string, pipeline = rollbackPipeline) => pipeline.find((s) => s.title === title)!.onlyIf!(ctx).script
    expect(guard('Hot downgrade the running node')).to.equal('grep -qx -e hot /srv/gatling/hello/state/path')
    for (const title of RESTART) expect(guard(title)).to.equal(guard(title, deployPipeline))
    expect(rollbackPipeline.find((s) => s.title === 'Plan the rollback')!.onlyIf).to.equal(undefined)
  })

  it('produces only shell text that `sh -n` accepts, with and without a version', () => {
    for (const ctx of [deployContext(), deployContext({rollbackTo: '0.1.0+3'})]) {
      for (const step of rollbackPipeline) {
        for (const script of scriptsOf(step, ctx)) {
          const check = shSyntaxCheck(script)
          expect(check.status, `${step.title}: ${script}\n${check.stderr}`).to.equal(0)
        }
      }
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

    const rollback = async (decision: string, refused = false) => {
      server.writeState('decision', `${decision}\n`)
      if (refused) server.writeState('hot-refused', '')
      const {connection} = localConnection(server.env, (script) => server.here(script))
      await quietly(() => runPipeline(rollbackPipeline, deployContext({rollbackTo: '0.1.0+3', rollback: true, operator: 'jane@laptop'}), connection, {plain: true, dryRun: false, print: () => {}}))
      return server.calls().flatMap(([program, ...args]) => (program === 'gatling-deploy' ? [`deploy ${args.join(' ')}`] : program === 'sudo' ? [`root ${args.slice(2).join(' ')}`] : []))
    }
    const RESTART_CALLS = ['deploy start', 'deploy health-instance /health example.com', 'root switch hello 4001 /health example.com']
    const AFTER = ['deploy health-nginx /health example.com', 'deploy mark-current jane@laptop rollback']

    it('downgrades in place when plan-rollback said hot', async () => {
      expect(await rollback('hot')).to.deep.equal(['deploy plan-rollback 0.1.0+3', 'deploy hot-downgrade', ...AFTER])
    })

    it('restarts when plan-rollback said restart', async () => {
      expect(await rollback('restart')).to.deep.equal(['deploy plan-rollback 0.1.0+3', ...RESTART_CALLS, ...AFTER])
    })

    it('restarts after a refused hot downgrade wrote "restart"', async () => {
      expect(await rollback('hot', true)).to.deep.equal(['deploy plan-rollback 0.1.0+3', 'deploy hot-downgrade', ...RESTART_CALLS, ...AFTER])
    })
  })
})
