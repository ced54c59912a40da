// Hex on a server that reaches no Hex host (these test machines reach none): setup still succeeds and
// says once what that means; an app without Hex packages deploys; a push of one with Hex packages fails
// at deps.get with one paragraph naming Hex, the URL tried and the setting, while the old release keeps
// serving; a mirror set in gatling.json's build.env is the URL tried, by `gatling push` and by a plain
// `git push` alike. And a failed esbuild download at assets.deploy names the tool, the URL and the
// setting for a local binary. One bookworm host.
import {expect} from 'chai'
import {copyFile, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {FIXTURES, TestApp, describeRun, httpGet, info, systemGitPush, type RunResult} from '../helpers/app.js'
import {buildCli} from '../helpers/cli.js'
import {bootHost, shutdownAll, type TestHost} from '../helpers/hosts.js'
import {HEX_NOTICE} from '../../src/steps/install-hex.js'

after(shutdownAll)

const UNREACHABLE = 'http://127.0.0.1:9/'

describe('Hex out of reach', function () {
  this.timeout(600_000)
  let host: TestHost
  let app: TestApp
  let setup: RunResult
  let serving: Record<string, string>

  before(async () => {
    await buildCli()
    host = await bootHost('e2e-hex')
    app = await TestApp.create({fixture: 'phoenixish'})
    // served over plain HTTP: phx.new's force_ssl waits for HTTPS (issue 9)
    await app.overlay('phoenixish-plainhttp')
    setup = await app.setup(host)
    expect(setup.code, describeRun(setup)).to.equal(0)
  })
  after(async () => {
    await host?.down()
    await app?.cleanup()
  })

  /** The old release still serves through nginx, in the same OS process. */
  const stillServing = async () => {
    expect((await httpGet(`http://${host.address}/health`)).status).to.equal(200)
    const now = await info(host)
    expect(now.pid, 'the same OS process').to.equal(serving.pid)
    expect(now.vsn).to.equal(serving.vsn)
  }
  const gatlingJson = async (build?: unknown) => {
    const file = join(app.dir, 'gatling.json')
    const config = JSON.parse(await readFile(file, 'utf8'))
    if (build === undefined) delete config.build
    else config.build = build
    await writeFile(file, `${JSON.stringify(config, null, 2)}\n`)
    await app.commitAll(`gatling.json: build ${JSON.stringify(build)}`)
  }

  it('setup succeeds and says once that apps with Hex dependencies cannot build, naming the setting', () => {
    expect(setup.stdout, describeRun(setup)).to.include(`Install Hex for the deploy user: ${HEX_NOTICE}`)
    // the outcome line of the step; the step's own output line (host | …) is the only other one
    const lines = setup.stdout.split('\n').filter((line) => line.includes(HEX_NOTICE))
    expect(lines.filter((line) => !line.includes(' | ')), lines.join('\n')).to.have.length(1)
    expect(HEX_NOTICE).to.include('build.env.HEX_MIRROR')
  })

  it('deploys the app without Hex packages: Hex is not needed, nothing is downloaded', async () => {
    const push = await app.push(host)
    expect(push.code, describeRun(push)).to.equal(0)
    expect(push.stdout).to.not.include('local.hex')
    serving = await info(host)
  })

  it('fails a push of an app with a Hex package at deps.get with one paragraph (Hex, the URL tried, the setting), the old release serving', async () => {
    await app.overlay('phoenixish-hex')
    const push = await app.push(host)
    expect(push.code, describeRun(push)).to.not.equal(0)
    expect(push.stderr, describeRun(push)).to.include('Step "mix deps.get" failed')
    const paragraph = push.stderr.split('\n').find((line) => line.includes('Hex is needed for jason'))
    expect(paragraph, describeRun(push)).to.be.a('string')
    expect(paragraph).to.match(/mix local\.hex could not download https:\/\/repo\.hex\.pm\/installs\/hex-1\.x\.csv\./).and.include('build.env.HEX_MIRROR').and.include('the release that serves now keeps serving')
    // the last line the server printed, so the last of the error's output
    const tail = push.stderr.trimEnd().split('\n')
    expect(tail.slice(-3).some((line) => line.includes('Hex is needed for jason')), `the paragraph closes the output:\n${tail.slice(-3).join('\n')}`).to.equal(true)
    expect(push.stdout, 'never "Deployed"').to.not.include('Deployed')
    await stillServing()
  })

  it('names the mirror of build.env as the URL tried, for gatling push and for a plain git push (the hook)', async () => {
    await gatlingJson({env: {HEX_MIRROR: UNREACHABLE, HEX_BUILDS_URL: UNREACHABLE}})
    const push = await app.push(host)
    expect(push.code, describeRun(push)).to.not.equal(0)
    expect(push.stderr, describeRun(push)).to.include(`mix local.hex could not download ${UNREACHABLE}`)
    await stillServing()

    // the hook's script was rendered by that push, with build.env in it
    await app.commitAll('a plain git push')
    const plain = await systemGitPush(app, host, ['gatling', 'HEAD:main'])
    expect(plain.code, describeRun(plain)).to.not.equal(0)
    expect(plain.stderr, describeRun(plain)).to.include(`mix local.hex could not download ${UNREACHABLE}`)
    await stillServing()
  })

  it('fails a push whose esbuild download fails at assets.deploy, naming esbuild, the URL and MIX_ESBUILD_PATH, the old release serving', async () => {
    await gatlingJson(undefined)
    await copyFile(join(FIXTURES, 'phoenixish', 'mix.exs'), join(app.dir, 'mix.exs'))
    await app.overlay('phoenixish-esbuild-download')
    const push = await app.push(host)
    expect(push.code, describeRun(push)).to.not.equal(0)
    expect(push.stderr, describeRun(push)).to.include('Step "Build assets" failed')
    expect(push.stderr).to.match(/couldn't fetch https:\/\/registry\.npmjs\.org\/@esbuild\/linux-(x64|arm64)\/0\.25\.4: /)
    const paragraph = push.stderr.split('\n').find((line) => line.includes('esbuild could not be downloaded from'))
    expect(paragraph, describeRun(push)).to.match(/^.*esbuild could not be downloaded from https:\/\/registry\.npmjs\.org\/@esbuild\/linux-(x64|arm64)\/0\.25\.4: /)
    expect(paragraph).to.include('build.env.MIX_ESBUILD_PATH').and.include('config :esbuild, path: System.get_env("MIX_ESBUILD_PATH")')
    await stillServing()
  })
})
