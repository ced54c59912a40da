import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import type {DeployContext} from '../../../src/context.js'
import {shellVar} from '../../../src/remote/shell.js'
import {appPaths} from '../../../src/server/layout.js'
import {statePath} from '../../../src/server/state.js'
import {checkout} from '../../../src/steps/checkout.js'
import {renderDeployTool} from '../../../src/steps/install-deploy-hook.js'
import {deployContext, git, onlyCommand, tempDir} from '../support.js'

describe('steps/checkout', function () {
  this.timeout(20_000)

  it('is one command: gatling-deploy checkout with the commit', () => {
    expect(onlyCommand(checkout, deployContext({rev: shellVar('REV')})).script).to.equal('/srv/gatling/hello/tools/gatling-deploy checkout "$REV"')
    expect(onlyCommand(checkout, deployContext()).script).to.equal('/srv/gatling/hello/tools/gatling-deploy checkout 0123456789abcdef0123456789abcdef01234567')
  })

  describe('run for real (the rendered gatling-deploy) against a temp repository', () => {
    let dir: string
    let cleanup: () => void
    let repo: string
    let work: string
    let build: string
    let ctx: DeployContext
    const long_ago = new Date('2020-01-01T00:00:00Z')
    beforeEach(() => {
      ;({dir, cleanup} = tempDir('gatling-unit-checkout-'))
      work = join(dir, 'work')
      repo = join(dir, 'repo.git')
      build = join(dir, 'build')
      mkdirSync(work)
      git(work, 'init', '-q')
      writeFileSync(join(work, 'mix.exs'), 'defmodule Hello.MixProject do\nend\n')
      writeFileSync(join(work, '.gitignore'), '/_build/\n/deps/\n/priv/static/assets/\n')
      mkdirSync(join(work, 'lib'))
      writeFileSync(join(work, 'lib', "it's here.ex"), 'v1\n')
      writeFileSync(join(work, 'lib', 'other.ex'), 'other\n')
      git(work, 'add', '-A')
      git(work, 'commit', '-q', '-m', 'v1')
      git(dir, 'clone', '-q', '--bare', work, repo)
      ctx = deployContext({paths: {...appPaths('hello'), build, repo, state: join(dir, 'state'), tools: join(dir, 'tools')}})
      for (const d of [build, ctx.paths.state, ctx.paths.tools]) mkdirSync(d)
      writeFileSync(join(ctx.paths.tools, 'gatling-deploy'), renderDeployTool(ctx), {mode: 0o755})
    })
    afterEach(() => cleanup())

    const runCheckout = (rev: DeployContext['rev'], env: Record<string, string> = {}) =>
      spawnSync('/bin/sh', ['-c', onlyCommand(checkout, {...ctx, rev}).script], {encoding: 'utf8', env: {PATH: process.env.PATH, ...env}})
    const commit = (files: Record<string, string | null>): string => {
      for (const [path, content] of Object.entries(files)) {
        if (content === null) git(work, 'rm', '-q', path)
        else writeFileSync(join(work, path), content)
      }
      git(work, 'add', '-A')
      git(work, 'commit', '-q', '-m', 'next')
      git(work, 'push', '-q', repo, 'HEAD:main')
      return git(work, 'rev-parse', 'HEAD')
    }
    const deploy = (rev: string) => {
      const run = runCheckout(shellVar('REV'), {REV: rev})
      expect(run.status, run.stdout + run.stderr).to.equal(0)
      return run
    }
    /** Every file of the build directory but the caches, sorted. */
    const files = (): string[] => readdirSync(build, {recursive: true, withFileTypes: true}).filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name).slice(build.length + 1)).filter((p) => !/^(_build|deps)\//.test(p)).sort()
    const age = (path: string) => utimesSync(join(build, path), long_ago, long_ago)
    const mtime = (path: string) => statSync(join(build, path)).mtimeMs

    it('replaces the build directory with the commit, keeping only _build and deps', () => {
      mkdirSync(join(build, '_build'), {recursive: true})
      mkdirSync(join(build, 'deps'))
      writeFileSync(join(build, '_build', 'cache'), 'kept')
      writeFileSync(join(build, 'deps', 'dep.ex'), 'kept')
      writeFileSync(join(build, 'stale.txt'), 'removed')
      writeFileSync(join(build, '.hidden'), 'removed')
      writeFileSync(join(build, 'mix.exs'), 'an untracked file where the commit has one')
      const sha = git(work, 'rev-parse', 'HEAD')
      const run = deploy(sha)
      expect(run.stdout).to.equal(`checked out ${sha.slice(0, 12)}\n`)
      expect(readdirSync(build).sort()).to.deep.equal(['.gitignore', '_build', 'deps', 'lib', 'mix.exs'])
      expect(readFileSync(join(build, '_build', 'cache'), 'utf8')).to.equal('kept')
      expect(readFileSync(join(build, 'deps', 'dep.ex'), 'utf8')).to.equal('kept')
      expect(readFileSync(join(build, 'mix.exs'), 'utf8')).to.equal('defmodule Hello.MixProject do\nend\n')
      expect(readFileSync(join(build, 'lib', "it's here.ex"), 'utf8')).to.equal('v1\n')
      expect(existsSync(statePath(ctx.paths, 'checkoutIndex')), 'the index for the next checkout').to.equal(true)
    })

    it('rewrites only the files whose content changed, with a fresh mtime; the others keep theirs', () => {
      deploy(git(work, 'rev-parse', 'HEAD'))
      for (const p of ['mix.exs', 'lib/other.ex', "lib/it's here.ex"]) age(p)
      const started = Date.now()
      deploy(commit({"lib/it's here.ex": 'v2\n'}))
      expect(readFileSync(join(build, 'lib', "it's here.ex"), 'utf8')).to.equal('v2\n')
      expect(mtime("lib/it's here.ex")).to.be.at.least(started - 1000)
      expect(mtime('lib/other.ex')).to.equal(long_ago.getTime())
      expect(mtime('mix.exs')).to.equal(long_ago.getTime())
    })

    it('removes files the commit deleted, and ignored or untracked files (a built priv/static), never the caches', () => {
      deploy(git(work, 'rev-parse', 'HEAD'))
      mkdirSync(join(build, 'priv', 'static', 'assets'), {recursive: true})
      writeFileSync(join(build, 'priv', 'static', 'assets', 'app.js'), 'built')
      writeFileSync(join(build, 'lib', 'untracked.ex'), 'x')
      mkdirSync(join(build, '_build', 'prod'), {recursive: true})
      writeFileSync(join(build, '_build', 'prod', 'cache'), 'kept')
      deploy(commit({'lib/other.ex': null}))
      expect(files()).to.deep.equal(['.gitignore', "lib/it's here.ex", 'mix.exs'])
      expect(readFileSync(join(build, '_build', 'prod', 'cache'), 'utf8')).to.equal('kept')
    })

    it('restores a file changed on the server (a dirty mix.lock, the rewritten mix.exs): it never blocks a deploy', () => {
      deploy(commit({'mix.lock': '%{}\n'}))
      writeFileSync(join(build, 'mix.lock'), '%{"dirty" => 1}\n')
      writeFileSync(join(build, 'mix.exs'), 'version: "0.1.0+1"\n')
      age('lib/other.ex')
      deploy(commit({"lib/it's here.ex": 'v3\n'}))
      expect(readFileSync(join(build, 'mix.lock'), 'utf8')).to.equal('%{}\n')
      expect(readFileSync(join(build, 'mix.exs'), 'utf8')).to.equal('defmodule Hello.MixProject do\nend\n')
      expect(mtime('lib/other.ex')).to.equal(long_ago.getTime())
    })

    it('writes every file again when the index is missing or unreadable', () => {
      const sha = git(work, 'rev-parse', 'HEAD')
      deploy(sha)
      writeFileSync(join(build, 'lib', 'other.ex'), 'changed on the server')
      writeFileSync(statePath(ctx.paths, 'checkoutIndex'), 'not an index')
      const run = deploy(sha)
      expect(run.stdout).to.contain('index was unreadable')
      expect(readFileSync(join(build, 'lib', 'other.ex'), 'utf8')).to.equal('other\n')
      writeFileSync(join(build, 'lib', 'other.ex'), 'changed again')
      writeFileSync(join(build, 'stray'), 'x')
      deploy(commit({'lib/new.ex': 'new\n'}))
      expect(files()).to.deep.equal(['.gitignore', "lib/it's here.ex", 'lib/new.ex', 'lib/other.ex', 'mix.exs'])
      expect(readFileSync(join(build, 'lib', 'other.ex'), 'utf8')).to.equal('other\n')
    })

    it('works with a literal commit too', () => {
      const run = runCheckout(git(work, 'rev-parse', 'HEAD'))
      expect(run.status, run.stderr).to.equal(0)
      expect(existsSync(join(build, 'mix.exs'))).to.equal(true)
    })

    it('fails on a commit the repository does not have, leaving the build directory alone', () => {
      writeFileSync(join(build, 'kept.txt'), 'x')
      for (const rev of ['f'.repeat(40), '', '--output=x']) {
        const run = runCheckout(shellVar('REV'), {REV: rev})
        expect(run.status, rev).to.not.equal(0)
        expect(existsSync(join(build, 'kept.txt')), rev).to.equal(true)
      }
    })

    it('does not run a hostile revision as shell code', () => {
      const marker = join(dir, 'pwned')
      const run = runCheckout(shellVar('REV'), {REV: `HEAD; touch ${marker}; $(touch ${marker})`})
      expect(existsSync(marker)).to.equal(false)
      expect(run.status).to.not.equal(0)
    })

    it('reads the pushed objects from the quarantine the hook passes on (GATLING_OBJECTS)', () => {
      // a commit that exists only in another object directory, as in pre-receive's quarantine
      writeFileSync(join(work, 'new.ex'), 'v2\n')
      git(work, 'add', '-A')
      git(work, 'commit', '-q', '-m', 'v2')
      const sha = git(work, 'rev-parse', 'HEAD')
      expect(runCheckout(sha).status, 'not in the repository yet').to.not.equal(0)
      const run = runCheckout(sha, {GATLING_OBJECTS: join(work, '.git', 'objects'), GATLING_ALTERNATES: join(repo, 'objects')})
      expect(run.status, run.stderr).to.equal(0)
      expect(readFileSync(join(build, 'new.ex'), 'utf8')).to.equal('v2\n')
    })
  })
})
