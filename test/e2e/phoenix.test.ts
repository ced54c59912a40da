// A Phoenix-shaped app (test/fixtures/phoenixish: the runtime contract of mix phx.new 1.8, with OTP and
// Elixir only, since hex.pm is out of reach here) deploys with nothing added: no env file at all. gatling
// gives it PHX_SERVER and a SECRET_KEY_BASE of its own, kept across hot and restart pushes and never
// printed, and builds its rebar3 dependency with the distribution's rebar3. One bookworm host.
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {createInterface} from 'node:readline'
import {copyFile} from 'node:fs/promises'
import {join} from 'node:path'

import {FIXTURES, TestApp, describeRun, httpGet, info, type RunResult} from '../helpers/app.js'
import {buildCli} from '../helpers/cli.js'
import {bootHost, shutdownAll, type TestHost} from '../helpers/hosts.js'

after(shutdownAll)

/** A websocket to /live/websocket through nginx (the fixture's client on node:net), driven step by step. */
function openSocket(host: TestHost) {
  const child = spawn(process.execPath, [join(FIXTURES, 'phoenixish-tools', 'ws-client.mjs'), '--stdin', '--timeout', '10000', `ws://${host.address}/live/websocket`], {stdio: ['pipe', 'pipe', 'inherit']})
  const lines: string[] = []
  const waiters: Array<() => void> = []
  // a heartbeat, as LiveView's client sends every 30 s: the app closes a socket idle for 60 s (Phoenix's
  // websocket timeout), and a push on a slow machine can take longer
  const heartbeat = setInterval(() => child.stdin.write('ping:heartbeat\n'), 20_000)
  child.on('exit', () => clearInterval(heartbeat))
  child.stdin.on('error', () => {}) // a heartbeat written as the client exits
  createInterface({input: child.stdout}).on('line', (line) => {
    lines.push(line)
    waiters.splice(0).forEach((wake) => wake())
  })
  const nextLine = async (match: RegExp): Promise<string> => {
    for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
      const found = lines.find((l) => match.test(l))
      if (found) {
        lines.splice(lines.indexOf(found), 1)
        return found
      }
      await new Promise<void>((wake) => {
        waiters.push(wake)
        setTimeout(wake, 500)
      })
    }
    throw new Error(`no line matching ${match} from the websocket client: ${lines.join(' | ')}`)
  }
  return {
    async send(text: string): Promise<string> {
      child.stdin.write(`text:${text}\n`)
      return (await nextLine(/^RECV text /)).slice('RECV text '.length)
    },
    opened: () => nextLine(/^OPEN$/),
    closed: () => nextLine(/^CLOSED$/),
    close: () => {
      clearInterval(heartbeat)
      child.stdin.end('close\n')
    },
  }
}

describe('a Phoenix-shaped app with nothing added', function () {
  this.timeout(600_000)
  let host: TestHost
  let app: TestApp
  let secret: string
  const outputs: RunResult[] = []

  before(async () => {
    await buildCli()
    host = await bootHost('e2e-phoenix')
    app = await TestApp.create({fixture: 'phoenixish'})
    // served over plain HTTP: phx.new's force_ssl waits for HTTPS (issue 9)
    await app.overlay('phoenixish-plainhttp')
    const setup = await app.setup(host)
    outputs.push(setup)
    expect(setup.code, describeRun(setup)).to.equal(0)
  })
  after(async () => {
    await host?.down()
    await app?.cleanup()
  })

  it('deploys without an env file: the endpoint serves (PHX_SERVER), with a SECRET_KEY_BASE of its own, its rebar3 dependency built', async () => {
    const push = await app.push(host)
    outputs.push(push)
    expect(push.code, describeRun(push)).to.equal(0)
    expect(push.stdout).to.include('mix deps.compile')
    expect((await httpGet(`http://${host.address}/health`)).status).to.equal(200)
    const fields = await info(host)
    expect(fields.server).to.equal('true')
    expect(fields.tinylib, 'the rebar3 path dependency').to.match(/\S/)
    const page = await httpGet(`http://${host.address}/`)
    expect(page.status).to.equal(200)
    const css = /href="([^"]*app-[0-9a-f]{32}\.css[^"]*)"/.exec(page.body)?.[1]?.replaceAll('&amp;', '&')
    expect(css, page.body.slice(0, 500)).to.be.a('string')
    expect((await httpGet(`http://${host.address}${css}`)).status, `${css}, digested by mix assets.deploy`).to.equal(200)

    const stored = await host.ssh('root', 'cat /etc/gatling/phoenixish/secret_key_base; echo; stat -c %a:%U /etc/gatling/phoenixish/secret_key_base /etc/gatling/phoenixish/gatling.env')
    const [value, ...modes] = stored.stdout.trim().split('\n')
    secret = value
    expect(Buffer.from(secret, 'base64')).to.have.length(64)
    expect(modes).to.deep.equal(['400:root', '400:root'])
    expect(fields.secret_key_base_sha256).to.match(/^[0-9a-f]+$/)
  })

  it('keeps the SECRET_KEY_BASE through a hot push and a restart push, and never prints it', async () => {
    const first = await info(host)
    // a websocket (a gen_server, like a LiveView) opened before the hot push
    const socket = openSocket(host)
    await socket.opened()
    expect(await socket.send('ping')).to.equal(`pong ${first.vsn}`)
    await app.overlay('phoenixish-v2')
    const hot = await app.push(host)
    outputs.push(hot)
    expect(hot.code, describeRun(hot)).to.equal(0)
    expect(hot.stdout, describeRun(hot)).to.include('hot upgrade')
    const afterHot = await info(host)
    expect(afterHot.pid, 'same OS process').to.equal(first.pid)
    // the same socket stays open and answers with the new code
    expect(await socket.send('ping'), 'the socket opened before the push').to.equal(`pong ${afterHot.vsn} v2`)
    socket.close()
    expect(afterHot.secret_key_base_sha256).to.equal(first.secret_key_base_sha256)
    // v2 changed the stylesheet: the page links its new digest at once (config_change/3 ran), and it answers
    expect(hot.stdout, describeRun(hot)).to.include('config_change/3 (static manifest of phoenixish changed)')
    expect(afterHot.css, 'the digested stylesheet of v2').to.not.equal(first.css)
    expect((await httpGet(`http://${host.address}${afterHot.css}`)).status, afterHot.css).to.equal(200)
    expect((await httpGet(`http://${host.address}/`)).body).to.include(afterHot.css.replaceAll('&', '&amp;'))

    // a websocket open during a restart push does not hold the switch until it closes: nginx's old
    // workers close it after NGINX_DRAIN_SECONDS (5 s), and a new socket reaches the new instance
    const held = openSocket(host)
    await held.opened()
    expect(await held.send('ping')).to.equal(`pong ${afterHot.vsn} v2`)
    const restart = await app.push(host, '--restart')
    outputs.push(restart)
    expect(restart.code, describeRun(restart)).to.equal(0)
    const drained = /the old instance drained in (\d+\.\d) s/.exec(restart.stdout)
    expect(drained, describeRun(restart)).to.not.equal(null)
    expect(Number(drained![1]), 'seconds the switch waited for old nginx workers, a websocket open').to.be.below(8)
    await held.closed()
    const afterRestart = await info(host)
    expect(afterRestart.pid, 'a new OS process').to.not.equal(first.pid)
    const fresh = openSocket(host)
    await fresh.opened()
    expect(await fresh.send('ping'), 'a socket opened after the restart').to.equal(`pong ${afterRestart.vsn} v2`)
    fresh.close()
    expect(afterRestart.secret_key_base_sha256).to.equal(first.secret_key_base_sha256)

    for (const r of outputs) {
      expect(r.stdout).to.not.include(secret)
      expect(r.stderr).to.not.include(secret)
    }
    const journal = await host.ssh('root', `journalctl --no-pager -o cat | grep -cF ${JSON.stringify(secret)} || true`)
    expect(journal.stdout.trim(), 'journal lines with the secret').to.equal('0')
  })

  it("fails a deploy whose health check a visitor would see redirected (force_ssl without HTTPS), and keeps the old release serving", async () => {
    const before = await info(host)
    await copyFile(join(FIXTURES, 'phoenixish', 'config', 'prod.exs'), join(app.dir, 'config', 'prod.exs'))
    await app.commitAll('force_ssl, as phx.new generates it')
    try {
      const r = await app.push(host)
      expect(r.code, describeRun(r)).to.not.equal(0)
      expect(r.stderr, describeRun(r)).to.match(/answered 301 with a redirect to https:\/\/\S+/).and.include('force_ssl')
      expect(r.stdout, 'never "Deployed"').to.not.include('Deployed')
      const after = await info(host)
      expect(after.force_ssl, 'the old release serves').to.equal('false')
      expect(after.vsn).to.equal(before.vsn)
    } finally {
      await app.git('reset', '-q', '--hard', 'HEAD~1')
    }
  })

  for (const how of ['hot', 'restart'] as const) {
    it(`fails a ${how} push whose runtime.exs raises for a missing variable with the app's own message, the old release serving`, async () => {
      const before = await info(host)
      await app.overlay('phoenixish-database', 'an Ecto-style runtime.exs that needs DATABASE_URL')
      try {
        const r = how === 'hot' ? await app.push(host) : await app.push(host, '--restart')
        expect(r.code, describeRun(r)).to.not.equal(0)
        expect(r.stderr, describeRun(r)).to.include('environment variable DATABASE_URL is missing.')
        expect(r.stdout, 'never "Deployed"').to.not.include('Deployed')
        const after = await info(host)
        expect([after.vsn, after.pid], 'the old release serves, in the same process').to.deep.equal([before.vsn, before.pid])
        expect((await httpGet(`http://${host.address}/health`)).status).to.equal(200)
      } finally {
        await app.git('reset', '-q', '--hard', 'HEAD~1')
      }
    })
  }
})
