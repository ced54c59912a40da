// The checkout touches only files that changed (issue 8): after a one-line change of one module, mix
// compiles that module (and Phoenixish, which compiles in the version gatling writes into mix.exs every
// push) and nothing else: no rebar3 path dependency, no other module. Deleted and ignored files leave the
// build directory; a file changed on the server blocks nothing; a plain `git push` deploys the same way.
// Every push here is hot: new code served by the same OS process. One bookworm host, the phoenixish fixture.
import {expect} from 'chai'
import {readFile, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {TestApp, describeRun, info, systemGitPush, type RunResult} from '../helpers/app.js'
import {buildCli} from '../helpers/cli.js'
import {bootHost, shutdownAll, type TestHost} from '../helpers/hosts.js'

after(shutdownAll)

const BUILD = '/srv/gatling/phoenixish/build'
const ROUTER = 'lib/phoenixish_web/router.ex'

describe('the checkout of a push rewrites only what changed', function () {
  this.timeout(600_000)
  let host: TestHost
  let app: TestApp
  let pid: string

  const root = async (cmd: string) => {
    const r = await host.ssh('root', cmd)
    expect(r.code, `${cmd}: ${r.stderr}`).to.equal(0)
    return r.stdout.trim()
  }
  const asDeployUser = (cmd: string) => root(`runuser -u gatling -- sh -c '${cmd}'`)
  /** Every compiled module of the build (path under _build/prod/lib: mtime). */
  const beams = async (): Promise<Map<string, string>> =>
    new Map((await root(`cd ${BUILD}/_build/prod/lib && find . -path '*/ebin/*.beam' -printf '%P %T@\\n'`)).split('\n').map((l) => l.split(' ') as [string, string]))
  const rebuilt = (before: Map<string, string>, after: Map<string, string>) => [...after].filter(([beam, mtime]) => before.get(beam) !== mtime).map(([beam]) => beam).sort()
  /** The one-line change: GET /info's tag becomes v1SUFFIX. */
  const changeRouter = async (suffix: string) => {
    const file = join(app.dir, ROUTER)
    const text = await readFile(file, 'utf8')
    const line = /^ {6}tag: Phoenixish\.tag\(\).*,$/m
    expect(text).to.match(line)
    await writeFile(file, text.replace(line, `      tag: Phoenixish.tag() <> "${suffix}",`))
  }
  const compileLines = (r: RunResult) => `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /Compiling|\[COMPLETED\] mix (deps\.)?compile/.test(l))
  const expectHot = async (r: RunResult, tag: string) => {
    expect(r.code, describeRun(r)).to.equal(0)
    const now = await info(host)
    expect(now.tag, 'the new code serves').to.equal(tag)
    expect(now.pid, 'the same OS process: a hot upgrade').to.equal(pid)
  }

  before(async () => {
    await buildCli()
    host = await bootHost('e2e-checkout')
    app = await TestApp.create({fixture: 'phoenixish'})
    await app.overlay('phoenixish-plainhttp')
    const setup = await app.setup(host)
    expect(setup.code, describeRun(setup)).to.equal(0)
    const first = await app.push(host)
    expect(first.code, describeRun(first)).to.equal(0)
    expect(first.stdout, 'the first deploy compiles everything').to.match(/Compiling 1\d files \(\.ex\)/)
    pid = (await info(host)).pid
  })
  after(async () => {
    await host?.down()
    await app?.cleanup()
  })

  it('compiles only the changed module after a one-line change, and does not rebuild the rebar3 path dependency', async () => {
    const before = await beams()
    expect(before.has('tinylib/ebin/tinylib.beam'), [...before.keys()].join(' ')).to.equal(true)
    await changeRouter('-one-line')
    await app.commitAll('one line in the router')
    const push = await app.push(host)
    console.log(`      ${compileLines(push).join(' | ')}`)
    await expectHot(push, 'v1-one-line')
    // the changed module, and Phoenixish, whose @version comes from mix.exs (a new version every push)
    expect(rebuilt(before, await beams()), 'rebuilt modules').to.deep.equal(['phoenixish/ebin/Elixir.Phoenixish.beam', 'phoenixish/ebin/Elixir.PhoenixishWeb.Router.beam'])
    expect(push.stdout, describeRun(push)).to.include('Compiling 2 files (.ex)')
  })

  it('removes files the commit deleted and files git ignores (a priv/static built on the server)', async () => {
    await asDeployUser(`echo stale > ${BUILD}/priv/static/assets/stale.js && echo stray > ${BUILD}/stray.txt`)
    await rm(join(app.dir, 'README.md'))
    await changeRouter('-deleted')
    await app.commitAll('delete the README')
    const push = await app.push(host)
    await expectHot(push, 'v1-deleted')
    expect(await root(`ls -A ${BUILD}`)).to.not.match(/README\.md|stray\.txt/)
    expect(await root(`ls -A ${BUILD}/priv/static/assets`), 'the assets of this build only').to.not.include('stale.js')
    expect(await root(`ls -A ${BUILD}`), 'the caches stay').to.include('_build')
  })

  it('deploys with a plain git push (the quarantined objects of pre-receive) over a file changed on the server', async () => {
    await asDeployUser(`echo "this does not compile" >> ${BUILD}/lib/phoenixish/application.ex && chmod 0400 ${BUILD}/${ROUTER}`)
    const before = await beams()
    await changeRouter('-git')
    await app.commitAll('one line, by a plain git push')
    const push = await systemGitPush(app, host, [`gatling@${host.address}:/srv/gatling/phoenixish/repo.git`, 'main'])
    console.log(`      ${compileLines(push).join(' | ')}`)
    await expectHot(push, 'v1-git')
    expect(push.stderr, describeRun(push)).to.include('remote: Compiling 2 files (.ex)')
    // application.ex is back as committed, the source mix compiled last: not compiled again
    expect(rebuilt(before, await beams()), 'rebuilt modules').to.deep.equal(['phoenixish/ebin/Elixir.Phoenixish.beam', 'phoenixish/ebin/Elixir.PhoenixishWeb.Router.beam'])
    expect(await root(`cat ${BUILD}/lib/phoenixish/application.ex`)).to.equal((await readFile(join(app.dir, 'lib/phoenixish/application.ex'), 'utf8')).trim())
  })
})
