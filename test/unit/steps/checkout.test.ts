import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import type {DeployContext} from '../../../src/context.js'
import {shellVar} from '../../../src/remote/shell.js'
import {appPaths} from '../../../src/server/layout.js'
import {checkout} from '../../../src/steps/checkout.js'
import {deployContext, git, onlyCommand, tempDir} from '../support.js'

describe('steps/checkout', () => {
  it('is one command, checking the commit exists before anything is removed', () => {
    const script = onlyCommand(checkout, deployContext({rev: shellVar('REV')})).script
    expect(script).to.not.contain('\n')
    expect(script.indexOf('cat-file -e')).to.be.lessThan(script.indexOf('find '))
    expect(script).to.contain(`"$REV"'^{commit}'`)
  })

  describe('run for real against a temp repository', () => {
    let dir: string
    let cleanup: () => void
    let repo: string
    let work: string
    beforeEach(() => {
      ;({dir, cleanup} = tempDir('gatling-unit-checkout-'))
      work = join(dir, 'work')
      repo = join(dir, 'repo.git')
      mkdirSync(work)
      git(work, 'init', '-q')
      writeFileSync(join(work, 'mix.exs'), 'defmodule Hello.MixProject do\nend\n')
      mkdirSync(join(work, 'lib'))
      writeFileSync(join(work, 'lib', "it's here.ex"), 'v1\n')
      git(work, 'add', '-A')
      git(work, 'commit', '-q', '-m', 'v1')
      git(dir, 'clone', '-q', '--bare', work, repo)
    })
    afterEach(() => cleanup())

    const runCheckout = (rev: DeployContext['rev'], env: Record<string, string> = {}) => {
      const build = join(dir, 'build')
      const ctx = deployContext({rev, paths: {...appPaths('hello'), build, repo}})
      return spawnSync('/bin/sh', ['-c', onlyCommand(checkout, ctx).script], {encoding: 'utf8', env: {PATH: process.env.PATH, ...env}})
    }

    it('replaces the build directory with the commit, keeping only _build and deps', () => {
      const build = join(dir, 'build')
      mkdirSync(join(build, '_build'), {recursive: true})
      mkdirSync(join(build, 'deps'))
      writeFileSync(join(build, '_build', 'cache'), 'kept')
      writeFileSync(join(build, 'stale.txt'), 'removed')
      writeFileSync(join(build, '.hidden'), 'removed')
      const sha = git(work, 'rev-parse', 'HEAD')
      const run = runCheckout(shellVar('REV'), {REV: sha})
      expect(run.status, run.stderr).to.equal(0)
      expect(run.stdout).to.equal(`checked out ${sha.slice(0, 12)}\n`)
      expect(readdirSync(build).sort()).to.deep.equal(['_build', 'deps', 'lib', 'mix.exs'])
      expect(readFileSync(join(build, '_build', 'cache'), 'utf8')).to.equal('kept')
      expect(readFileSync(join(build, 'lib', "it's here.ex"), 'utf8')).to.equal('v1\n')
    })

    it('works with a literal commit too', () => {
      mkdirSync(join(dir, 'build'))
      const run = runCheckout(git(work, 'rev-parse', 'HEAD'))
      expect(run.status, run.stderr).to.equal(0)
      expect(existsSync(join(dir, 'build', 'mix.exs'))).to.equal(true)
    })

    it('fails on a commit the repository does not have, leaving the build directory alone', () => {
      mkdirSync(join(dir, 'build'))
      writeFileSync(join(dir, 'build', 'kept.txt'), 'x')
      const run = runCheckout(shellVar('REV'), {REV: 'f'.repeat(40)})
      expect(run.status).to.not.equal(0)
      expect(existsSync(join(dir, 'build', 'kept.txt'))).to.equal(true)
    })

    it('does not run a hostile revision as shell code', () => {
      mkdirSync(join(dir, 'build'))
      const marker = join(dir, 'pwned')
      const run = runCheckout(shellVar('REV'), {REV: `HEAD; touch ${marker}; $(touch ${marker})`})
      expect(existsSync(marker)).to.equal(false)
      expect(run.status).to.not.equal(0)
    })

    it('reads the pushed objects from the quarantine the hook passes on (GATLING_OBJECTS)', () => {
      mkdirSync(join(dir, 'build'))
      // a commit that exists only in another object directory, as in pre-receive's quarantine
      writeFileSync(join(work, 'new.ex'), 'v2\n')
      git(work, 'add', '-A')
      git(work, 'commit', '-q', '-m', 'v2')
      const sha = git(work, 'rev-parse', 'HEAD')
      expect(runCheckout(sha).status, 'not in the repository yet').to.not.equal(0)
      const run = runCheckout(sha, {GATLING_OBJECTS: join(work, '.git', 'objects'), GATLING_ALTERNATES: join(repo, 'objects')})
      expect(run.status, run.stderr).to.equal(0)
      expect(readFileSync(join(dir, 'build', 'new.ex'), 'utf8')).to.equal('v2\n')
    })
  })
})
