import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {renderScript} from '../../../src/pipeline/script.js'
import type {Step} from '../../../src/pipeline/step.js'
import {cmd, sh} from '../../../src/remote/shell.js'
import {hookData, shSyntaxCheck, tempDir} from '../support.js'

// The deploy pipeline as the hook's script: test/unit/pipelines/deploy.test.ts.

describe('pipeline/script', () => {
  describe('renderScript', () => {
    it('refuses to inline a command with secret input', () => {
      const leaky: Array<Step<object>> = [{title: 'Leak', commands: () => [cmd('cat > /x', {input: 'pw', secretInput: true})]}]
      expect(() => renderScript('server/deploy.sh.ejs', leaky, {}, hookData('hello'))).to.throw(/secret input cannot go into a script/)
    })

    it('leaves out CLI-only steps and steps skipped in the context', () => {
      const script = renderScript('server/deploy.sh.ejs', [
        {title: 'Kept', commands: () => [cmd('echo kept')]},
        {title: 'Only from the CLI', cliOnly: true, commands: () => [cmd('echo cli')]},
        {title: 'Not here', skip: () => 'no', commands: () => [cmd('echo skipped')]},
      ], {}, hookData('hello'))
      expect(script).to.contain('Kept').and.not.contain('Only from the CLI').and.not.contain('Not here').and.not.contain('echo cli')
    })

    it('runs a sudo command as `sudo -n sh -c SCRIPT`, each command in a subshell joined by &&', () => {
      const script = renderScript('server/deploy.sh.ejs', [{title: 'Root', commands: () => [cmd("echo 'a b'", {sudo: true}), cmd('echo two')]}], {}, hookData('hello'))
      expect(script).to.contain(`(\n${sh('sudo', '-n', 'sh', '-c', "echo 'a b'")}\n) &&\n(\necho two\n)`)
      const check = shSyntaxCheck(script)
      expect(check.status, check.stderr).to.equal(0)
    })
  })

  describe('the rendered script runs', () => {
    let dir: string
    let cleanup: () => void
    beforeEach(() => ({dir, cleanup} = tempDir('gatling-unit-script-')))
    afterEach(() => cleanup())

    /** Render synthetic steps through the real template and run the script with sh. */
    function run(steps: Array<Step<{dir: string}>>, rev = 'abc123def4567890') {
      const script = renderScript('server/deploy.sh.ejs', steps, {dir}, hookData('demo', dir))
      const file = join(dir, 'deploy')
      writeFileSync(file, script)
      return spawnSync('/bin/sh', [file, rev], {encoding: 'utf8', env: {PATH: process.env.PATH, GIT_DIR: '/should/be/unset'}})
    }

    it('runs steps in order, skips on a failing onlyIf, feeds input through base64, and sees $REV', () => {
      const tricky = "it's \"quoted\" $HOME `id` \\ \n second line\n"
      const result = run([
        {title: 'First', commands: (ctx) => [cmd(`echo one >> ${sh(`${ctx.dir}/log`)}`), cmd(`echo "rev=$REV git_dir=\${GIT_DIR:-unset}" >> ${sh(`${ctx.dir}/log`)}`)]},
        {title: "Skipped's step", onlyIf: () => cmd('false'), onlyIfReason: "it isn't needed", commands: (ctx) => [cmd(`echo never >> ${sh(`${ctx.dir}/log`)}`)]},
        {title: 'Gated', onlyIf: () => cmd('echo noise; true'), commands: (ctx) => [cmd(`cat > ${sh(`${ctx.dir}/input`)}`, {input: tricky})]},
        {title: 'Never rendered', skip: () => 'not here', commands: () => [cmd('exit 99')]},
      ])
      expect(result.status, result.stdout + result.stderr).to.equal(0)
      expect(readFileSync(join(dir, 'log'), 'utf8')).to.equal('one\nrev=abc123def4567890 git_dir=unset\n')
      expect(readFileSync(join(dir, 'input'), 'utf8')).to.equal(tricky)
      expect(result.stdout).to.contain('-----> gatling: deploying demo abc123def456\n')
      expect(result.stdout).to.contain("-----> Skipped's step\n       skipped: it isn't needed\n")
      expect(result.stdout).to.not.contain('noise')
      expect(result.stdout).to.not.contain('Never rendered')
      expect(result.stdout).to.match(/-----> gatling: demo deployed in \d+ ms\n$/)
    })

    it('stops at a failing step, names it, and runs nothing after it', () => {
      const result = run([
        {title: 'Works', commands: () => [cmd('true')]},
        {title: "Breaks 'here'", commands: (ctx) => [cmd('true'), cmd('exit 7'), cmd(`touch ${sh(`${ctx.dir}/after-failure-in-step`)}`)]},
        {title: 'After', commands: (ctx) => [cmd(`touch ${sh(`${ctx.dir}/after-failure`)}`)]},
      ])
      expect(result.status).to.equal(1)
      expect(result.stdout).to.match(/gatling: step "Breaks 'here'" failed on .* \(exit status 7\)\. The release that was serving keeps serving\./)
      expect(existsSync(join(dir, 'after-failure-in-step'))).to.equal(false)
      expect(existsSync(join(dir, 'after-failure'))).to.equal(false)
      expect(result.stdout).to.not.contain('-----> After')
    })

    it('decides onlyIf when the step is reached, after the steps before it ran', () => {
      const flag = () => sh(`${dir}/flag`)
      const result = run([
        {title: 'Decide', commands: () => [cmd(`echo go > ${flag()}`)]},
        {title: 'Guarded', onlyIf: () => cmd(`grep -qx go ${flag()}`), commands: () => [cmd(`echo ran >> ${sh(`${dir}/log`)}`)]},
      ])
      expect(result.status, result.stdout + result.stderr).to.equal(0)
      expect(readFileSync(join(dir, 'log'), 'utf8')).to.equal('ran\n')
    })
  })
})
