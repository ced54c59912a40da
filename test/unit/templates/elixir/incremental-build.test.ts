// What mix rebuilds in a build directory that `gatling-deploy checkout` and `gatling-deploy version` keep
// (templates/server/gatling-deploy.sh.ejs), with the elixir and rebar3 of this machine: the phoenixish
// fixture deployed twice, the second time with one line of one module changed. Only that module compiles
// again, and Phoenixish, which compiles in the version written into mix.exs; the rebar3 path dependency is
// not rebuilt; the .app carries the new version (release_handler needs it).
//
// Needs Elixir and rebar3 on this machine (see make-upgrade.test.ts).
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {appPaths} from '../../../../src/server/layout.js'
import {statePath} from '../../../../src/server/state.js'
import {REBAR3} from '../../../../src/steps/deploy-support.js'
import {renderDeployTool} from '../../../../src/steps/install-deploy-hook.js'
import {FIXTURES, type ProgramRun, copyTools, deployContext, describeRun, elixirEnv, git, missingElixir, run, tempDir} from '../../support.js'

describe('an incremental build: checkout, version, mix compile, twice', function () {
  this.timeout(600_000)
  let work: {dir: string; cleanup: () => void}
  const compiles: ProgramRun[] = []
  const beams: Array<Map<string, number>> = []
  const appVsns: string[] = []

  before(async function () {
    const missing = missingElixir()
    if (missing) throw new Error(missing)
    work = tempDir('gatling-incremental-')
    const source = join(work.dir, 'source')
    const ctx = deployContext({app: 'phoenixish', paths: {...appPaths('phoenixish'), repo: join(work.dir, 'repo.git'), build: join(work.dir, 'build'), state: join(work.dir, 'state'), tools: copyTools(work.dir)}})
    for (const dir of [source, ctx.paths.build, ctx.paths.state]) mkdirSync(dir, {recursive: true})
    writeFileSync(join(ctx.paths.tools, 'gatling-deploy'), renderDeployTool(ctx), {mode: 0o755})
    cpSync(join(FIXTURES, 'phoenixish'), source, {recursive: true})
    git(source, 'init', '-q')
    git(source, 'add', '-A')
    git(source, 'commit', '-q', '-m', 'v1')
    git(work.dir, 'clone', '-q', '--bare', source, ctx.paths.repo)
    const env = {...elixirEnv(join(work.dir, 'mix-home')), MIX_REBAR3: REBAR3}
    const ebin = join(ctx.paths.build, '_build', 'prod', 'lib')

    const tool = (...args: string[]) => {
      const r = spawnSync('/bin/sh', [join(ctx.paths.tools, 'gatling-deploy'), ...args], {encoding: 'utf8', env})
      expect(r.status, `gatling-deploy ${args.join(' ')}: ${r.stdout}${r.stderr}`).to.equal(0)
    }
    const mix = async (...args: string[]) => {
      const r = await run('mix', args, {cwd: ctx.paths.build, env, timeoutMs: 300_000})
      expect(r.code, describeRun(r)).to.equal(0)
      return r
    }
    const deploy = async (n: number) => {
      tool('checkout', git(source, 'rev-parse', 'HEAD'))
      tool('version')
      await mix('deps.get', '--only', 'prod')
      await mix('deps.compile')
      compiles.push(await mix('compile'))
      beams.push(new Map(readdirSync(ebin, {recursive: true}).map(String).filter((p) => p.endsWith('.beam')).map((p) => [p, statSync(join(ebin, p)).mtimeMs])))
      appVsns.push(/\{vsn,"([^"]+)"\}/.exec(readFileSync(join(ebin, 'phoenixish', 'ebin', 'phoenixish.app'), 'utf8'))?.[1] ?? '')
      writeFileSync(statePath(ctx.paths, 'deploys'), `${n}\n`)
    }

    await deploy(1)
    // mtimes are compared in seconds
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const router = join(source, 'lib', 'phoenixish_web', 'router.ex')
    writeFileSync(router, readFileSync(router, 'utf8').replace('tag: Phoenixish.tag(),', 'tag: Phoenixish.tag() <> "-one-line",'))
    git(source, 'commit', '-q', '-am', 'one line')
    git(source, 'push', '-q', ctx.paths.repo, 'HEAD:main')
    await deploy(2)
  })
  after(() => work?.cleanup())

  it('compiles everything the first time', () => {
    expect(compiles[0].stdout).to.match(/Compiling 1\d files \(\.ex\)/)
    expect(beams[0].has('tinylib/ebin/tinylib.beam'), [...beams[0].keys()].join(' ')).to.equal(true)
  })

  it('then only the changed module and Phoenixish (its @version is read from mix.exs); not the rebar3 path dependency', () => {
    expect(compiles[1].stdout, describeRun(compiles[1])).to.include('Compiling 2 files (.ex)')
    const rebuilt = [...beams[1]].filter(([beam, mtime]) => beams[0].get(beam) !== mtime).map(([beam]) => beam).sort()
    expect(rebuilt).to.deep.equal(['phoenixish/ebin/Elixir.Phoenixish.beam', 'phoenixish/ebin/Elixir.PhoenixishWeb.Router.beam'])
  })

  it('gives the .app the new version every deploy', () => {
    expect(appVsns).to.deep.equal(['0.1.0+1', '0.1.0+2'])
  })
})
