// Pinned toolchains (issue 10). On Debian 12, whose Elixir is 1.14, an app requiring elixir "~> 1.17"
// with a .tool-versions pin (erlang 25.2.3, elixir 1.18.3-otp-25) is set up, built with exactly that
// Elixir, served through nginx and hot-upgraded; a checksum mismatch, an unknown version and an
// unreachable mirror each fail the push clearly, the app still serving in the same OS process; a changed
// pinned Elixir takes the zero-downtime restart with the reason; `gatling toolchains` lists and prunes.
// The mirror is local (test/helpers/toolchain-mirror.ts), its Elixir builds compiled once from Debian's
// source tarballs and cached (test/hosts/toolchain-mirror.sh). One bookworm host.
import {expect} from 'chai'
import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {TestApp, body, describeRun, httpGet, info, loadDuring, type RunResult} from '../helpers/app.js'
import {buildCli} from '../helpers/cli.js'
import {bootHost, shutdownAll, type TestHost} from '../helpers/hosts.js'
import {ToolchainMirror, ensureMirrorFiles} from '../helpers/toolchain-mirror.js'
import {expectHot, expectRestart, printLoad} from '../helpers/upgrade.js'

after(shutdownAll)

const TOOLCHAINS = '/opt/gatling/toolchains'

describe('pinned toolchains (Debian 12, Elixir 1.18.3 on the distribution OTP 25)', function () {
  this.timeout(900_000)
  let host: TestHost
  let app: TestApp
  let mirror: ToolchainMirror
  let setup: RunResult
  let serving: Record<string, string>

  const onServer = async (command: string): Promise<string> => {
    const r = await host.ssh('root', command)
    expect(r.code, `${command}: ${r.stderr}`).to.equal(0)
    return r.stdout.trim()
  }
  const pin = async (elixir: string, requirement: string) => {
    await app.write('.tool-versions', `erlang 25.2.3\nelixir ${elixir}\n`)
    const mix = await readFile(join(app.dir, 'mix.exs'), 'utf8')
    await app.write('mix.exs', mix.replace(/elixir: "[^"]*"/, `elixir: "${requirement}"`))
    await app.commitAll(`pin elixir ${elixir}`)
  }
  const setMirror = async (url: string) => {
    const file = join(app.dir, 'gatling.json')
    const config = JSON.parse(await readFile(file, 'utf8').catch(() => '{}'))
    config.toolchains = {mirror: url}
    await writeFile(file, `${JSON.stringify(config, null, 2)}\n`)
    await app.commitAll(`toolchains.mirror ${url}`)
  }
  /** The push failed at the toolchain step with this paragraph; nothing half-installed; the app serves as before. */
  const failedCleanly = async (push: RunResult, paragraph: RegExp) => {
    expect(push.code, describeRun(push)).to.not.equal(0)
    expect(push.stderr, describeRun(push)).to.include('Step "Install the pinned Erlang/OTP and Elixir" failed')
    expect(push.stderr, describeRun(push)).to.match(paragraph)
    expect(push.stdout, 'nothing built').to.not.include('mix compile')
    expect(await onServer(`ls -A ${TOOLCHAINS}`), 'no partial directory or download left').to.not.match(/partial|\.download/)
    expect((await httpGet(`http://${host.address}/health`)).status).to.equal(200)
    const now = await info(host)
    expect(now.pid, 'the same OS process').to.equal(serving.pid)
    expect(now.vsn).to.equal(serving.vsn)
  }

  before(async () => {
    const mirrorDir = await ensureMirrorFiles()
    await buildCli()
    host = await bootHost('e2e-toolchains')
    mirror = await ToolchainMirror.start(host, mirrorDir)
    app = await TestApp.create()
    await app.overlay('hello-toolchain')
    await setMirror(mirror.url)
    const started = Date.now()
    setup = await app.setup(host)
    console.log(`      first setup with a pinned toolchain (distribution OTP, Elixir zip): ${((Date.now() - started) / 1000).toFixed(1)} s`)
    expect(setup.code, describeRun(setup)).to.equal(0)
  })
  after(async () => {
    await host?.down()
    await mirror?.stop()
    await app?.cleanup()
  })

  it('setup from the project installs the pinned Elixir, says what was chosen and why, and uses the distribution OTP of the pinned major', async () => {
    expect(setup.stdout, describeRun(setup)).to.include('chosen: Erlang/OTP 25.2.3 and Elixir 1.18.3-otp-25 (pinned in .tool-versions)')
    expect(setup.stdout).to.include("Erlang/OTP 25.2.3: the distribution's OTP 25.2.3 is the pinned major 25, so it builds (no download)")
    expect(setup.stdout).to.include(`Elixir 1.18.3-otp-25: installed the precompiled build into ${TOOLCHAINS}/elixir-1.18.3-otp-25`)
    expect(mirror.requests).to.include.members(['/builds/elixir/builds.txt', '/builds/elixir/v1.18.3-otp-25.zip'])
    expect(await onServer(`stat -c '%U:%G %a' ${TOOLCHAINS} ${TOOLCHAINS}/elixir-1.18.3-otp-25 ${TOOLCHAINS}/elixir-1.18.3-otp-25/bin/elixir`)).to.equal('root:root 755\nroot:root 755\nroot:root 755')
    expect(await onServer(`find ${TOOLCHAINS} ! -user root | wc -l`), 'every file root-owned').to.equal('0')
    expect(await onServer('cat /etc/gatling/hello/toolchain')).to.equal('distribution-25.2.3 elixir-1.18.3-otp-25')
    // the distribution's Elixir is still 1.14: only the pin can build this app
    expect(await onServer("elixir -e 'IO.write System.version()'")).to.match(/^1\.14\./)
  })

  it('the first push builds with the pinned Elixir (which the distribution lacks) and serves through nginx', async () => {
    const push = await app.push(host)
    expect(push.code, describeRun(push)).to.equal(0)
    expect(push.stdout).to.include('Elixir 1.18.3-otp-25: already installed')
    serving = await info(host)
    expect(serving.elixir, 'the release runs the pinned Elixir').to.equal('1.18.3')
    expect(await body(host, '/')).to.equal('hello from v1')
  })

  it('hot-upgrades with the same toolchain, in the same OS process', async () => {
    await app.overlay('hello-v2')
    const push = await app.push(host)
    expectHot(push)
    const now = await info(host)
    expect(now.pid).to.equal(serving.pid)
    expect(now.elixir).to.equal('1.18.3')
    expect(await body(host, '/')).to.equal('hello from v2')
    serving = now
  })

  it('a checksum mismatch installs nothing and names the file and both sums; the app keeps serving', async () => {
    const index = await readFile(join(await ensureMirrorFiles(), 'builds/elixir/builds.txt'), 'utf8')
    const real = /^v1\.14\.0-otp-25 \S+ \S+ (\S+)$/m.exec(index)![1]
    const wrong = 'f'.repeat(64)
    mirror.overrides.set('/builds/elixir/builds.txt', index.replace(real, wrong))
    await pin('1.14.0-otp-25', '~> 1.14')
    const push = await app.push(host)
    await failedCleanly(push, new RegExp(`checksum mismatch for v1\\.14\\.0-otp-25\\.zip from ${mirror.url}/builds/elixir/v1\\.14\\.0-otp-25\\.zip: builds\\.txt lists sha256 ${wrong}, the download has ${real}\\. Nothing was installed`))
    expect(await onServer(`test ! -e ${TOOLCHAINS}/elixir-1.14.0-otp-25 && echo absent`)).to.equal('absent')
    mirror.overrides.clear()
  })

  it('an unknown version fails before any download, listing the nearest available ones; the app keeps serving', async () => {
    await pin('1.18.9-otp-25', '~> 1.17')
    mirror.requests.length = 0
    const push = await app.push(host)
    await failedCleanly(push, new RegExp(`v1\\.18\\.9-otp-25 is not in ${mirror.url}/builds/elixir/builds\\.txt \\(the builds it lists nearest to it: v1\\.18\\.3-otp-25\\): pin one of those`))
    expect(mirror.requests).to.deep.equal(['/builds/elixir/builds.txt'])
  })

  it('an unreachable mirror fails naming the URL and toolchains.mirror; the app keeps serving', async () => {
    const unreachable = mirror.url.replace(/:\d+$/, ':9')
    await setMirror(unreachable)
    const push = await app.push(host)
    await failedCleanly(push, new RegExp(`could not download ${unreachable}/builds/elixir/builds\\.txt \\(.*\\): let this server reach it, or set "toolchains\\.mirror" in gatling\\.json to a mirror it reaches \\(now ${unreachable}\\)`))
    await setMirror(mirror.url)
  })

  it('a changed pinned Elixir takes the zero-downtime restart, with the reason, and no request fails', async () => {
    await pin('1.14.0-otp-25', '~> 1.14')
    let push: RunResult | undefined
    const pushing = app.push(host).then((r) => (push = r))
    const load = await loadDuring(`http://${host.address}/`, pushing)
    printLoad('push changing the pinned Elixir 1.18.3 -> 1.14.0', load)
    expectRestart(push!, 'Elixir changed 1.18.3 -> 1.14.0')
    expect(push!.stdout).to.include(`Elixir 1.14.0-otp-25: installed the precompiled build into ${TOOLCHAINS}/elixir-1.14.0-otp-25`)
    expect(load.failed, load.failures.join('\n')).to.equal(0)
    const now = await info(host)
    expect(now.elixir).to.equal('1.14.0')
    expect(now.pid, 'a new OS process').to.not.equal(serving.pid)
    serving = now
  })

  it('gatling toolchains lists each with the apps that build with it (--json), and prune removes the unused one only', async () => {
    const listed = await app.gatling(['toolchains', '-i', host.keyPath, '--json'])
    expect(listed.code, describeRun(listed)).to.equal(0)
    const report = JSON.parse(listed.stdout)
    expect(report).to.deep.include({app: 'hello', host: host.address, root: TOOLCHAINS})
    const byName = Object.fromEntries(report.toolchains.map((t: {name: string}) => [t.name, t]))
    expect(byName['elixir-1.14.0-otp-25']).to.deep.include({kind: 'elixir', version: '1.14.0', otp: 25, apps: ['hello']})
    expect(byName['elixir-1.18.3-otp-25']).to.deep.include({kind: 'elixir', version: '1.18.3', otp: 25, apps: []})
    expect(byName['elixir-1.18.3-otp-25'].sizeKb).to.be.greaterThan(1000)
    expect(byName['distribution-25.2.3']).to.deep.include({kind: 'distribution', version: '25.2.3', apps: ['hello']})
    const plain = await app.gatling(['toolchains', '-i', host.keyPath])
    expect(plain.stdout).to.match(/elixir-1\.18\.3-otp-25 {2}\d+ MB {2}unused/)

    const prune = await app.gatling(['toolchains', 'prune', '-i', host.keyPath])
    expect(prune.code, describeRun(prune)).to.equal(0)
    expect(prune.stdout).to.include('removed elixir-1.18.3-otp-25').and.include('kept elixir-1.14.0-otp-25')
    expect(await onServer(`ls ${TOOLCHAINS}`)).to.equal('elixir-1.14.0-otp-25')
    expect((await info(host)).pid, 'serving untouched').to.equal(serving.pid)
  })
})

