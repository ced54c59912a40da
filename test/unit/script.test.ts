import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {type DeployContext, appPaths} from '../../src/context.js'
import {renderScript} from '../../src/pipeline/script.js'
import type {Step} from '../../src/pipeline/step.js'
import {deployPipeline} from '../../src/pipelines/deploy.js'
import {cmd, quote, sh, shellVar} from '../../src/remote/shell.js'
import {shSyntaxCheck, tempDir} from './support.js'

const SECRET = 'SECRET_KEY_BASE="do-not-leak-3f9a8c7e"\nDATABASE_URL="ecto://u:hunter2@db/app"\n'

const hookContext = (overrides: Partial<DeployContext> = {}): DeployContext => ({
  app: 'hello',
  host: 'example.com',
  rev: shellVar('REV'),
  healthPath: '/health',
  domains: ['example.com', 'www.example.com'],
  keepReleases: 5,
  envFile: undefined,
  paths: appPaths('hello'),
  ...overrides,
})

/** The rendered script as push.ts renders it for the pre-receive hook. */
const deployScript = (ctx = hookContext()) => renderScript('server/deploy.sh.ejs', deployPipeline, ctx, {app: ctx.app})

describe('pipeline/script: the deploy pipeline as the git hook script', () => {
  it('is accepted by `sh -n` (dash) and `bash -n`', () => {
    const script = deployScript()
    const check = shSyntaxCheck(script)
    expect(check.status, check.stderr).to.equal(0)
    const bash = spawnSync('bash', ['-n'], {input: script, encoding: 'utf8'})
    expect(bash.status, bash.stderr).to.equal(0)
  })

  it('starts with a shebang, takes the commit from $1 and never hard-codes one', () => {
    const script = deployScript()
    expect(script.startsWith('#!/bin/sh\n')).to.equal(true)
    expect(script).to.contain('\nREV=$1\n')
    expect(script).to.contain('"$REV"')
    expect(script).to.not.match(/\b[0-9a-f]{40}\b/)
  })

  it('announces every step that runs in the hook, in pipeline order, and only those', () => {
    const script = deployScript()
    const expected = deployPipeline.filter((step) => !step.cliOnly).map((step) => step.title)
    const announced = [...script.matchAll(/^echo "-----> "(.*)$/gm)].map((m) => m[1])
    expect(announced).to.deep.equal(expected.map((title) => quote(title)))
    let last = -1
    for (const title of expected) {
      const at = script.indexOf(`echo "-----> "${quote(title)}`)
      expect(at, title).to.be.greaterThan(last)
      last = at
    }
  })

  it('leaves out the CLI-only step (the env file), even when the context has one, and never contains the secrets', () => {
    const cliOnly = deployPipeline.filter((step) => step.cliOnly)
    expect(cliOnly.map((s) => s.title)).to.include('Write the environment file')
    for (const ctx of [hookContext(), hookContext({envFile: SECRET})]) {
      const script = deployScript(ctx)
      for (const step of cliOnly) expect(script).to.not.contain(step.title)
      expect(script).to.not.contain('gatling-root env')
      for (const needle of ['do-not-leak', 'hunter2', 'SECRET_KEY_BASE', Buffer.from(SECRET).toString('base64').slice(0, 24)]) expect(script).to.not.contain(needle)
    }
  })

  it('refuses to inline a command with secret input', () => {
    const leaky: Array<Step<DeployContext>> = [{title: 'Leak', commands: () => [cmd('cat > /x', {input: 'pw', secretInput: true})]}]
    expect(() => renderScript('server/deploy.sh.ejs', leaky, hookContext(), {app: 'hello'})).to.throw(/secret input cannot go into a script/)
  })

  it('keeps the app paths and the privileged helper calls of the steps', () => {
    const script = deployScript()
    expect(script).to.contain(sh('git', '--git-dir', '/srv/gatling/hello/repo.git', 'archive', '--format=tar', shellVar('REV')))
    expect(script).to.contain('sudo -n /usr/local/sbin/gatling-root site hello example.com www.example.com')
    expect(script).to.contain('sudo -n /usr/local/sbin/gatling-root prune hello 5')
  })
})

describe('pipeline/script: the rendered script runs', () => {
  let dir: string
  let cleanup: () => void
  beforeEach(() => ({dir, cleanup} = tempDir('gatling-unit-script-')))
  afterEach(() => cleanup())

  /** Render synthetic steps through the real template and run the script with sh. */
  function run(steps: Array<Step<{dir: string}>>, rev = 'abc123def4567890') {
    const script = renderScript('server/deploy.sh.ejs', steps, {dir}, {app: 'demo'})
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
})
