import {expect} from 'chai'

import {GatlingError} from '../../../src/errors.js'
import {describeCommand, formatDuration, runPipeline, runStep, stepFailure} from '../../../src/pipeline/runner.js'
import type {Step} from '../../../src/pipeline/step.js'
import {cmd} from '../../../src/remote/shell.js'
import {fakeConnection, quietly} from '../support.js'

describe('pipeline/runner', () => {
  describe('describeCommand', () => {
    it('shows the script, with [sudo] when privileged', () => {
      expect(describeCommand(cmd('ls /'))).to.equal('ls /')
      expect(describeCommand(cmd('ls /root', {sudo: true}))).to.equal('[sudo] ls /root')
    })

    it('shows the size of stdin but not its content', () => {
      expect(describeCommand(cmd('cat > /x', {input: 'hello'}))).to.equal('cat > /x  <<< (5 bytes)')
    })

    it('never shows secret input', () => {
      const secret = 'DATABASE_URL="postgres://u:hunter2@db/app"\n'
      const text = describeCommand(cmd('gatling-root env app', {sudo: true, input: secret, secretInput: true}))
      expect(text).to.equal(`[sudo] gatling-root env app  <<< (secret, ${secret.length} bytes)`)
      expect(text).to.not.contain('hunter2')
    })
  })

  describe('formatDuration', () => {
    it('uses ms below a second and seconds with one decimal above', () => {
      expect(formatDuration(0)).to.equal('0 ms')
      expect(formatDuration(999)).to.equal('999 ms')
      expect(formatDuration(1000)).to.equal('1.0 s')
      expect(formatDuration(12_345)).to.equal('12.3 s')
    })
  })

  describe('stepFailure', () => {
    it('names the step, host, redacted command and exit status', () => {
      const {connection} = fakeConnection()
      const error = stepFailure('Write the environment file', connection, cmd('gatling-root env app', {input: 'SECRET=1', secretInput: true}), {code: 3, stdout: '', stderr: 'boom', tail: ['boom']})
      expect(error).to.be.instanceOf(GatlingError)
      expect(error.message).to.equal('Step "Write the environment file" failed on root@test-host: the command exited with status 3.')
      expect(error.details).to.deep.equal({step: 'Write the environment file', host: 'root@test-host', command: 'gatling-root env app  <<< (secret, 8 bytes)', output: ['boom'], exitCode: 3})
      expect(JSON.stringify(error.details)).to.not.contain('SECRET=1')
    })
  })

  describe('runStep', () => {
    const step: Step<{n: number}> = {
      title: 'Do a thing',
      check: (ctx) => [cmd(`check-a ${ctx.n}`), cmd('check-b')],
      commands: (ctx) => [cmd(`first ${ctx.n}`), cmd('second', {input: 'top secret', secretInput: true})],
    }

    it('runs the commands in order when a check fails, and reports done', async () => {
      const {connection, executed} = fakeConnection((c) => ({code: c.script === 'check-b' ? 1 : 0}))
      expect(await runStep(step, {n: 7}, connection, () => {})).to.equal('done')
      expect(executed.map((c) => c.script)).to.deep.equal(['check-a 7', 'check-b', 'first 7', 'second'])
    })

    it('stops at the first failing check', async () => {
      const {connection, executed} = fakeConnection((c) => ({code: c.script.startsWith('check-a') ? 1 : 0}))
      await runStep(step, {n: 1}, connection, () => {})
      expect(executed.map((c) => c.script)).to.deep.equal(['check-a 1', 'first 1', 'second'])
    })

    it('is unchanged, running no command, when every check passes', async () => {
      const {connection, executed} = fakeConnection()
      expect(await runStep(step, {n: 1}, connection, () => {})).to.equal('unchanged')
      expect(executed.map((c) => c.script)).to.deep.equal(['check-a 1', 'check-b'])
    })

    it('is skipped when onlyIf exits non-zero, running nothing else', async () => {
      const {connection, executed} = fakeConnection((c) => ({code: c.script === 'only-if' ? 1 : 0}))
      expect(await runStep({...step, onlyIf: () => cmd('only-if')}, {n: 1}, connection, () => {})).to.equal('skipped')
      expect(executed.map((c) => c.script)).to.deep.equal(['only-if'])
    })

    it('throws a GatlingError at the first failing command, without running the rest or leaking secrets', async () => {
      const {connection, executed} = fakeConnection((c) => ({code: c.script.startsWith('check') ? 1 : c.script === 'second' ? 42 : 0, tail: ['last words']}))
      let error: GatlingError | undefined
      try {
        await runStep({...step, commands: () => [cmd('first'), cmd('second', {input: 'top secret', secretInput: true}), cmd('third')]}, {n: 1}, connection, () => {})
      } catch (error_) {
        error = error_ as GatlingError
      }
      expect(error).to.be.instanceOf(GatlingError)
      expect(error!.details).to.deep.include({step: 'Do a thing', exitCode: 42, command: 'second  <<< (secret, 10 bytes)'})
      expect(error!.message + JSON.stringify(error!.details)).to.not.contain('top secret')
      expect(executed.map((c) => c.script)).to.not.include('third')
    })

    it('streams output lines and hands the results to after()', async () => {
      const {connection} = fakeConnection((c) => ({stdout: `out of ${c.script}\n`}))
      const lines: string[] = []
      let seen: string[] = []
      await runStep({title: 't', commands: () => [cmd('a'), cmd('b')], after: (_ctx, results) => (seen = results.map((r) => r.stdout))}, {}, connection, (l) => lines.push(l))
      expect(lines).to.deep.equal(['out of a', 'out of b'])
      expect(seen).to.deep.equal(['out of a\n', 'out of b\n'])
    })
  })

  describe('runPipeline', () => {
    const options = {plain: true, dryRun: false, print: () => {}}

    it('runs the steps in order and sums them up: done, unchanged, skipped; only a step that wrote counts as a change', async () => {
      const {connection, executed} = fakeConnection((c) => ({code: ['check-ok', 'only-if-no'].includes(c.script) ? (c.script === 'check-ok' ? 0 : 1) : 0}))
      const pipeline: Array<Step<object>> = [
        {title: 'Look', readOnly: true, commands: () => [cmd('look')]},
        {title: 'Already so', check: () => cmd('check-ok'), commands: () => [cmd('never')]},
        {title: 'Not here', skip: () => 'no reason', commands: () => [cmd('never')]},
        {title: 'Not now', onlyIf: () => cmd('only-if-no'), commands: () => [cmd('never')]},
      ]
      const summary = await quietly(() => runPipeline(pipeline, {}, connection, options))
      expect(summary.steps.map((s) => [s.title, s.status])).to.deep.equal([['Look', 'done'], ['Already so', 'unchanged'], ['Not here', 'skipped'], ['Not now', 'skipped']])
      expect(summary.changed).to.equal(false)
      expect(executed.map((c) => c.script)).to.deep.equal(['look', 'check-ok', 'only-if-no'])
      const changed = await quietly(() => runPipeline([{title: 'Write', commands: () => [cmd('write')]}], {}, connection, options))
      expect(changed.changed).to.equal(true)
    })

    it("throws the failing step's GatlingError and runs nothing after it", async () => {
      const {connection, executed} = fakeConnection((c) => ({code: c.script === 'boom' ? 5 : 0, tail: ['it broke']}))
      let error: unknown
      try {
        await quietly(() => runPipeline([{title: 'One', commands: () => [cmd('one')]}, {title: 'Two', commands: () => [cmd('boom')]}, {title: 'Three', commands: () => [cmd('three')]}], {}, connection, options))
      } catch (error_) {
        error = error_
      }
      expect(error).to.be.instanceOf(GatlingError)
      expect((error as GatlingError).details).to.deep.include({step: 'Two', exitCode: 5, output: ['it broke']})
      expect(executed.map((c) => c.script)).to.deep.equal(['one', 'boom'])
    })
  })

  describe('runPipeline --dry-run', () => {
    it('prints the plan, runs only read-only steps, and never prints secret input', async () => {
      const {connection, executed} = fakeConnection(() => ({stdout: 'ID=debian\n'}))
      const learned: string[] = []
      const pipeline: Array<Step<{secret: string}>> = [
        {title: 'Look', readOnly: true, commands: () => [cmd('cat /etc/os-release')], after: (_c, [r]) => learned.push(r.stdout)},
        {title: 'Skipped one', skip: () => 'not today', commands: () => [cmd('never-planned')]},
        {title: 'Write secret', onlyIf: () => cmd('test -d /x'), check: () => cmd('cmp -s - /x/env'), commands: (ctx) => [cmd('install /dev/stdin /x/env', {sudo: true, input: ctx.secret, secretInput: true})]},
      ]
      const lines: string[] = []
      const summary = await runPipeline(pipeline, {secret: 'PASSWORD=swordfish'}, connection, {plain: true, dryRun: true, print: (l) => lines.push(l)})
      expect(summary.changed).to.equal(false)
      expect(executed.map((c) => c.script), 'only the read-only step runs').to.deep.equal(['cat /etc/os-release'])
      expect(learned).to.deep.equal(['ID=debian\n'])
      expect(lines).to.deep.equal([
        'Dry run on root@test-host: nothing will be changed.',
        '',
        'Look',
        '  $ cat /etc/os-release',
        '',
        'Skipped one (skipped: not today)',
        '',
        'Write secret',
        '  only if: test -d /x',
        '  unless: cmp -s - /x/env',
        '  $ [sudo] install /dev/stdin /x/env  <<< (secret, 18 bytes)',
      ])
      expect(lines.join('\n')).to.not.contain('swordfish')
    })

    it('stops the plan when a read-only step fails', async () => {
      const {connection} = fakeConnection(() => ({code: 1}))
      let error: unknown
      try {
        await runPipeline([{title: 'Look', readOnly: true, commands: () => [cmd('cat /nope')]}], {}, connection, {plain: true, dryRun: true, print: () => {}})
      } catch (error_) {
        error = error_
      }
      expect(error).to.be.instanceOf(GatlingError)
      expect((error as Error).message).to.contain('Step "Look" failed on root@test-host')
    })
  })
})
