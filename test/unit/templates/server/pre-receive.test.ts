import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {chmodSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {render} from '../../../../src/templates.js'
import {shSyntaxCheck, tempDir} from '../../support.js'

describe('templates/server/pre-receive', () => {
  let dir: string
  let cleanup: () => void
  let hook: string
  let log: string
  before(() => {
    ;({dir, cleanup} = tempDir('gatling-unit-hook-'))
    log = join(dir, 'deploy.log')
    const deploy = join(dir, 'deploy')
    writeFileSync(deploy, `#!/bin/sh\necho "deploy $*" >> '${log}'\n`)
    chmodSync(deploy, 0o755)
    hook = join(dir, 'pre-receive')
    writeFileSync(hook, render('server/pre-receive.ejs', {app: 'hello', deployScript: deploy}))
  })
  after(() => cleanup())

  const push = (refs: string, env: Record<string, string> = {}) => {
    writeFileSync(log, '')
    const run = spawnSync('/bin/sh', [hook], {input: refs, encoding: 'utf8', env: {PATH: process.env.PATH, ...env}})
    return {status: run.status, log: readFileSync(log, 'utf8')}
  }
  const zero = '0'.repeat(40)
  const a = 'a'.repeat(40)
  const b = 'b'.repeat(40)

  it('passes `sh -n`', () => {
    const check = shSyntaxCheck(readFileSync(hook, 'utf8'))
    expect(check.status, check.stderr).to.equal(0)
  })

  it('deploys the pushed branch commit', () => {
    expect(push(`${a} ${b} refs/heads/main\n`)).to.deep.equal({status: 0, log: `deploy ${b}\n`})
  })

  it('ignores tags and branch deletions', () => {
    expect(push(`${zero} ${a} refs/tags/v1\n`)).to.deep.equal({status: 0, log: ''})
    expect(push(`${a} ${zero} refs/heads/old\n`)).to.deep.equal({status: 0, log: ''})
  })

  it('stands aside when gatling push sent the gatling-cli push option', () => {
    const env = {GIT_PUSH_OPTION_COUNT: '2', GIT_PUSH_OPTION_0: 'other', GIT_PUSH_OPTION_1: 'gatling-cli'}
    expect(push(`${a} ${b} refs/heads/main\n`, env)).to.deep.equal({status: 0, log: ''})
    expect(push(`${a} ${b} refs/heads/main\n`, {GIT_PUSH_OPTION_COUNT: '1', GIT_PUSH_OPTION_0: 'not-gatling'}).log).to.equal(`deploy ${b}\n`)
  })

  it('does not run a push option as shell code', () => {
    const marker = join(dir, 'pwned')
    const result = push(`${a} ${b} refs/heads/main\n`, {GIT_PUSH_OPTION_COUNT: '1', GIT_PUSH_OPTION_0: `$(touch ${marker})`})
    expect(result.log).to.equal(`deploy ${b}\n`)
    expect(spawnSync('test', ['-e', marker]).status).to.not.equal(0)
  })

  it('propagates a failed deploy, rejecting the push', () => {
    const failing = join(dir, 'deploy-fails')
    writeFileSync(failing, '#!/bin/sh\nexit 1\n')
    chmodSync(failing, 0o755)
    const failingHook = join(dir, 'pre-receive-failing')
    writeFileSync(failingHook, render('server/pre-receive.ejs', {app: 'hello', deployScript: failing}))
    const run = spawnSync('/bin/sh', [failingHook], {input: `${a} ${b} refs/heads/main\n`, encoding: 'utf8'})
    expect(run.status).to.equal(1)
  })
})
