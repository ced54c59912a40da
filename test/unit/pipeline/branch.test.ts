import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {branch} from '../../../src/pipeline/branch.js'
import {runPipeline} from '../../../src/pipeline/runner.js'
import {renderScript} from '../../../src/pipeline/script.js'
import type {Pipeline, Step} from '../../../src/pipeline/step.js'
import {cmd, sh} from '../../../src/remote/shell.js'
import {fakeConnection, hookData, localConnection, quietly, tempDir} from '../support.js'

interface Ctx {
  dir: string
}

const decisionFile = (ctx: Ctx) => join(ctx.dir, 'path')
const logTo = (ctx: Ctx, line: string) => cmd(`echo ${sh(line)} >> ${sh(join(ctx.dir, 'log'))}`)
const step = (title: string, extra: Partial<Step<Ctx>> = {}): Step<Ctx> => ({title, commands: (ctx) => [logTo(ctx, title)], ...extra})

/**
 * Decide, then the fork of the deploy pipeline in miniature: the hot path (which may hand over by
 * writing "restart" when refused exists) and the restart path, then a step after the fork.
 */
const pipeline: Pipeline<Ctx> = [
  step('decide', {commands: (ctx) => [logTo(ctx, 'decide'), cmd(`cat ${sh(join(ctx.dir, 'decision'))} > ${sh(decisionFile(ctx))}`)]}),
  ...branch(decisionFile, [
    {label: 'the hot upgrade', when: ['hot'], steps: [step('hot', {commands: (ctx) => [logTo(ctx, 'hot'), cmd(`if test -e ${sh(join(ctx.dir, 'refused'))}; then echo restart > ${sh(decisionFile(ctx))}; fi`)]})]},
    {label: 'the zero-downtime restart', when: ['restart', 'first'], steps: [step('start'), step('health'), step('switch')]},
  ]),
  step('after the fork'),
]

describe('pipeline/branch', () => {
  describe('branch()', () => {
    const paths = branch((ctx: Ctx) => decisionFile(ctx), [
      {label: 'the hot upgrade', when: ['hot'], steps: [step('hot', {reportsOutcome: true})]},
      {label: 'the zero-downtime restart', when: ['restart', 'first'], steps: [step('start'), step('switch')]},
    ])
    const ctx = {dir: '/srv/x'}

    it("is the paths' steps, in order, each guarded by the decision on the server", () => {
      expect(paths.map((s) => s.title)).to.deep.equal(['hot', 'start', 'switch'])
      expect(paths.map((s) => s.onlyIf!(ctx).script)).to.deep.equal(['grep -qx -e hot /srv/x/path', 'grep -qx -e restart -e first /srv/x/path', 'grep -qx -e restart -e first /srv/x/path'])
      expect(paths.map((s) => s.onlyIf!(ctx).sudo)).to.deep.equal([undefined, undefined, undefined])
    })

    it('names the other paths as the reason a step is skipped', () => {
      expect(paths.map((s) => s.onlyIfReason)).to.deep.equal(['this run takes the zero-downtime restart', 'this run takes the hot upgrade', 'this run takes the hot upgrade'])
    })

    it('keeps everything else of the steps', () => {
      expect(paths[0].reportsOutcome).to.equal(true)
      expect(paths[1].commands(ctx)).to.deep.equal([logTo(ctx, 'start')])
    })
  })

  describe('run by both drivers', () => {
    let dir: string
    let cleanup: () => void
    beforeEach(() => ({dir, cleanup} = tempDir('gatling-unit-branch-')))
    afterEach(() => cleanup())

    const decide = (decision: string, refused = false) => {
      writeFileSync(join(dir, 'decision'), `${decision}\n`)
      if (refused) writeFileSync(join(dir, 'refused'), '')
    }
    const ran = () => readFileSync(join(dir, 'log'), 'utf8').split('\n').filter(Boolean)

    const drivers = {
      async 'the task tree (runner)'() {
        const {connection} = localConnection({PATH: process.env.PATH})
        const summary = await quietly(() => runPipeline(pipeline, {dir}, connection, {plain: true, dryRun: false, print: () => {}}))
        return summary.steps.map((s) => `${s.title}:${s.status}`)
      },
      async 'the git hook script (sh)'() {
        const file = join(dir, 'deploy')
        writeFileSync(file, renderScript('server/deploy.sh.ejs', pipeline, {dir}, hookData('demo', dir)))
        const run = spawnSync('/bin/sh', [file, 'HEAD'], {encoding: 'utf8', env: {PATH: process.env.PATH}})
        expect(run.status, run.stdout + run.stderr).to.equal(0)
        return [...run.stdout.matchAll(/^-----> (\S.*)\n(?: {7}(skipped|done))/gm)].map((m) => `${m[1].replace(/^'|'$/g, '')}:${m[2] === 'done' ? 'done' : 'skipped'}`)
      },
    }

    for (const [driver, runIt] of Object.entries(drivers)) {
      describe(driver, () => {
        it('runs only the hot path when the decision is hot', async () => {
          decide('hot')
          const statuses = await runIt()
          expect(ran()).to.deep.equal(['decide', 'hot', 'after the fork'])
          expect(statuses).to.deep.equal(['decide:done', 'hot:done', 'start:skipped', 'health:skipped', 'switch:skipped', 'after the fork:done'])
        })

        for (const decision of ['restart', 'first']) {
          it(`runs only the restart path when the decision is ${decision}`, async () => {
            decide(decision)
            await runIt()
            expect(ran()).to.deep.equal(['decide', 'start', 'health', 'switch', 'after the fork'])
          })
        }

        it('runs the restart path after the hot path wrote "restart" (the fallback)', async () => {
          decide('hot', true)
          const statuses = await runIt()
          expect(ran()).to.deep.equal(['decide', 'hot', 'start', 'health', 'switch', 'after the fork'])
          expect(statuses).to.include('hot:done').and.include('switch:done')
        })

        it('runs neither path on a decision no path takes', async () => {
          decide('sideways')
          await runIt()
          expect(ran()).to.deep.equal(['decide', 'after the fork'])
        })
      })
    }

    it('the runner reads the decision only when it reaches the fork', async () => {
      const {connection, executed} = fakeConnection((c) => ({code: c.script.startsWith('grep -qx -e hot ') ? 0 : c.script.startsWith('grep') ? 1 : 0}))
      const summary = await quietly(() => runPipeline(pipeline, {dir}, connection, {plain: true, dryRun: false, print: () => {}}))
      expect(executed.map((c) => c.script.split(' ')[0])).to.deep.equal(['echo', 'cat', 'grep', 'echo', 'if', 'grep', 'grep', 'grep', 'echo'])
      expect(summary.steps.filter((s) => s.status === 'skipped').map((s) => s.title)).to.deep.equal(['start', 'health', 'switch'])
    })
  })
})
