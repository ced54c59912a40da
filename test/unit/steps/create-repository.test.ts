import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'

import {appPaths} from '../../../src/server/layout.js'
import {createRepository} from '../../../src/steps/create-repository.js'
import {deployContext, git, onlyCommand, tempDir} from '../support.js'

describe('steps/create-repository', () => {
  it('creates a bare repository that advertises push options, once', () => {
    const ctx = deployContext()
    expect(onlyCommand(createRepository, ctx).script).to.equal('git init --quiet --bare /srv/gatling/hello/repo.git && git --git-dir /srv/gatling/hello/repo.git config receive.advertisePushOptions true')
    expect([createRepository.check!(ctx)].flat()[0].script).to.equal('test -f /srv/gatling/hello/repo.git/HEAD')
  })

  it('run for real: the check fails before and passes after', () => {
    const {dir, cleanup} = tempDir('gatling-unit-repo-')
    try {
      const ctx = deployContext({paths: {...appPaths('hello'), repo: join(dir, 'repo.git')}})
      const check = [createRepository.check!(ctx)].flat()[0].script
      expect(spawnSync('/bin/sh', ['-c', check]).status).to.not.equal(0)
      const run = spawnSync('/bin/sh', ['-c', onlyCommand(createRepository, ctx).script], {encoding: 'utf8'})
      expect(run.status, run.stderr).to.equal(0)
      expect(spawnSync('/bin/sh', ['-c', check]).status).to.equal(0)
      expect(git(dir, '--git-dir', join(dir, 'repo.git'), 'config', 'receive.advertisePushOptions')).to.equal('true')
      expect(git(dir, '--git-dir', join(dir, 'repo.git'), 'rev-parse', '--is-bare-repository')).to.equal('true')
    } finally {
      cleanup()
    }
  })
})
