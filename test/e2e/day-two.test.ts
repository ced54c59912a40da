// The day-two commands end to end (issue 12, first half), on one bookworm host with one setup and the hello
// fixture, pushed three times: first (the CLI), hot (a plain git push), restart (the CLI, --restart). Each
// command is checked from outside: its numbers against what the server says, HTTP through nginx, exit codes.
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {join} from 'node:path'

import {TestApp, body, describeRun, httpGet, info, loadDuring, systemGitPush, waitFor, type RunResult} from '../helpers/app.js'
import {REPO_ROOT, buildCli} from '../helpers/cli.js'
import {bootHost, shutdownAll, type TestHost} from '../helpers/hosts.js'
import {printLoad} from '../helpers/upgrade.js'

after(shutdownAll)

interface Status {
  version: string | null
  commit: string | null
  mode: string | null
  since: string | null
  health: {status: number; ok: boolean}
  instances: Array<{port: number; state: string; pid: number | null; uptimeSeconds: number | null; rssBytes: number | null; version: string | null; serving: string | null}>
}
interface Releases {
  current: string | null
  releases: Array<{version: string; current: boolean; commit: string | null; time: string | null; by: string | null; how: string | null; path: string | null}>
}

/** The CLI that buildCli() made (the before hook sets it). */
let cliDir = REPO_ROOT

/** The CLI under a real terminal (script(1) gives it a PTY), fed keys; resolves with all it printed and its exit code. */
function inTerminal(app: TestApp, args: string[], keys: (output: () => string, send: (text: string) => void) => Promise<void>): Promise<{code: number; output: string}> {
  const cli = [process.execPath, '--', join(cliDir, 'bin/run.js'), ...args].map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(' ')
  const child = spawn('script', ['-qfec', `stty cols 111 rows 37; exec ${cli}`, '/dev/null'], {cwd: app.dir, env: {...app.env, TERM: 'xterm'}, stdio: ['pipe', 'pipe', 'pipe']})
  let output = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (d) => (output += d))
  child.stderr.on('data', (d) => (output += d))
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 255)))
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
  return keys(() => output, (text) => child.stdin.write(text)).then(async () => {
    const code = await exited
    clearTimeout(timer)
    return {code, output}
  })
}
describe('day two: status, releases, logs, eval, console, restart, stop, start', function () {
  this.timeout(600_000)
  let host: TestHost
  let app: TestApp
  let hotCommit: string

  const root = async (cmd: string) => {
    const r = await host.ssh('root', cmd)
    expect(r.code, `${cmd}: ${r.stderr}`).to.equal(0)
    return r.stdout.trim()
  }
  const gatling = (...args: string[]) => app.gatling([...args, '-i', host.keyPath])
  const ok = (r: RunResult) => {
    expect(r.code, describeRun(r)).to.equal(0)
    return r
  }
  const status = async (): Promise<Status> => JSON.parse(ok(await gatling('status', '--json')).stdout) as Status
  const releases = async (): Promise<Releases> => JSON.parse(ok(await gatling('releases', '--json')).stdout) as Releases
  const primary = (s: Status) => s.instances.find((i) => i.serving === 'primary')!

  before(async () => {
    cliDir = await buildCli()
    host = await bootHost('e2e-daytwo')
    app = await TestApp.create()
    ok(await app.setup(host))
    await app.write('.env.production', 'GREETING=bonjour\n')
    await app.commitAll('production config')
    ok(await app.push(host))
    hotCommit = await app.overlay('hello-v2')
    const push = await systemGitPush(app, host, [`gatling@${host.address}:/srv/gatling/hello/repo.git`, 'main'])
    expect(push.code, describeRun(push)).to.equal(0)
    expect(push.stderr, describeRun(push)).to.include('hot upgrade')
    expect(await body(host, '/')).to.equal('bonjour from v2')
  })
  after(async () => {
    await host?.down()
    await app?.cleanup()
  })

  it('releases: what was deployed, by whom, how, and which is current', async () => {
    const r = await releases()
    expect(r.current).to.equal('0.1.0+2')
    expect(r.releases.map((x) => [x.version, x.current, x.how, x.path, x.by])).to.deep.equal([
      ['0.1.0+2', true, 'hot', 'hot', 'git push'],
      ['0.1.0+1', false, 'first', 'first', 'gatling test <test@example.com>'],
    ])
    expect(r.releases[0].commit).to.equal(hotCommit)
    expect(r.releases[1].commit).to.match(/^[0-9a-f]{40}$/)
    for (const x of r.releases) expect(Math.abs(Date.parse(x.time!) - Date.now())).to.be.lessThan(30 * 60_000)
    const text = ok(await gatling('releases'))
    expect(text.stdout).to.match(/^\* 0\.1\.0\+2 +[0-9a-f]{12} .* hot +git push$/m)
  })

  it('status: the numbers are the server\'s: pid, memory, uptime, version, commit, hot since, health through nginx', async () => {
    const s = await status()
    const p = primary(s)
    const serverPid = Number(await root(`systemctl show -p MainPID --value hello@${p.port}`))
    expect(p.pid).to.equal(serverPid)
    expect(p.pid).to.equal(Number((await info(host)).pid))
    const rssKb = Number(await root(`ps -o rss= -p ${serverPid}`))
    expect(p.rssBytes! / 1024).to.be.within(rssKb * 0.8, rssKb * 1.2)
    const up = Number(await root(`ps -o etimes= -p ${serverPid}`))
    expect(p.uptimeSeconds).to.be.within(up - 30, up + 1)
    expect(s).to.deep.include({version: '0.1.0+2', commit: hotCommit, mode: 'hot'})
    expect(s.health).to.deep.include({status: 200, ok: true})
    expect(s.instances.filter((i) => i.serving !== null)).to.have.length(1)
    const text = ok(await gatling('status'))
    expect(text.stdout).to.include(`pid ${serverPid}`).and.include('hot-upgraded').and.include('through nginx: 200')
  })

  it('eval prints the result; a raise exits 1 with its message; the expression reaches the node untouched', async () => {
    expect(ok(await gatling('eval', 'Hello.answer()')).stdout).to.equal('"bonjour from v2"\n')
    const tricky = ok(await gatling('eval', `"it's $(id) \`id\` \\"q\\" ; done" <> "!"`))
    expect(tricky.stdout).to.equal('"it\'s $(id) `id` \\"q\\" ; done!"\n')
    const raised = await gatling('eval', 'raise ArgumentError, "day-two boom"')
    expect(raised.code, describeRun(raised)).to.equal(1)
    expect(raised.stderr).to.include('The expression failed in hello on').and.include('(ArgumentError) day-two boom')
  })

  it("logs -n shows a line the app wrote, with its instance; never another unit's journal", async () => {
    const marker = `day-two-marker-${Date.now()}`
    ok(await gatling('eval', `require Logger; Logger.warning("${marker}")`))
    // another app's unit and a plain syslog line, both written as root: not this app's journal
    await root('systemd-run --quiet --wait --unit=other-app-e2e sh -c "echo other-app-secret-line" && logger -t hello not-hellos-unit-line')
    const port = primary(await status()).port
    const logs = await waitFor('the marker in gatling logs', async () => {
      const r = ok(await gatling('logs', '-n', '300'))
      return r.stdout.includes(marker) && r
    }, 60_000, 2000)
    expect(logs.stdout).to.match(new RegExp(`^\\S+Z hello@${port}: .*${marker}`, 'm'))
    expect(await root('journalctl -u other-app-e2e --no-pager -o cat')).to.include('other-app-secret-line')
    expect(logs.stdout).to.not.include('other-app-secret-line').and.not.include('not-hellos-unit-line')
    // the deploy user cannot read the journal itself
    const direct = await host.ssh('gatling', 'journalctl --no-pager -n 1000 -o cat 2>&1; id -nG')
    expect(direct.stdout).to.not.include('other-app-secret-line').and.not.include(marker)
    expect(direct.stdout.trim().split('\n').at(-1)!.split(' ')).to.not.include.members(['systemd-journal', 'adm'])
    const since = ok(await gatling('logs', '-n', '300', '--since', '1h'))
    expect(since.stdout).to.include(marker)
    const bad = await gatling('logs', '--since', '--unit=other-app-e2e')
    expect(bad.code).to.equal(1)
    expect(bad.stderr).to.include('is not a time like')
  })

  it('console: a remote IEx in a real terminal, of its size; Ctrl-C is the break menu; the node keeps running', async () => {
    const before = primary(await status()).pid
    const session = await inTerminal(app, ['console', '-i', host.keyPath], async (output, send) => {
      await waitFor('the iex prompt', async () => /iex\(hello_\d+@127\.0\.0\.1\)1> /.test(output()), 90_000, 200)
      send('{:cols, :io.columns(), Hello.answer()}\r')
      await waitFor('the answer', async () => output().includes('{:cols, {:ok, 111}, "bonjour from v2"}'), 30_000, 200)
      send('\x03')
      await waitFor('the break menu', async () => output().includes('BREAK: (a)bort'), 30_000, 200)
      send('a\r')
    })
    expect(session.output).to.include('{:cols, {:ok, 111}, "bonjour from v2"}')
    expect(session.code, session.output).to.equal(0)
    expect(primary(await status()).pid, 'the node survives the console').to.equal(before)
    const piped = await gatling('console')
    expect(piped.code).to.equal(1)
    expect(piped.stderr).to.include('gatling console needs a terminal')
  })

  it('logs -f picks up both instances during a restart push, and ends on SIGINT', async () => {
    const old = primary(await status()).port
    const follow = spawn(process.execPath, ['--', join(cliDir, 'bin/run.js'), 'logs', '-f', '-n', '1', '-i', host.keyPath], {cwd: app.dir, env: {...app.env}, stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    follow.stdout.setEncoding('utf8')
    follow.stdout.on('data', (d) => (out += d))
    follow.stderr.on('data', (d) => (out += d))
    const exited = new Promise<number | null>((resolve) => follow.on('close', (code) => resolve(code)))
    await waitFor('the follow to start', async () => (await root("pgrep -c -f '[j]ournalctl.*--follow' || true")) === '1', 60_000, 500)
    await app.write('RESTART_NOTE', 'restart\n')
    await app.commitAll('restart push')
    ok(await app.push(host, '--restart'))
    const fresh = primary(await status()).port
    expect(fresh).to.not.equal(old)
    await waitFor('the old instance stopping and the new one started, in the follow', async () =>
      new RegExp(`hello@${fresh}: Started hello@${fresh}`).test(out) && new RegExp(`hello@${old}: (Stopping|Stopped) hello@${old}`).test(out), 60_000, 500)
    follow.kill('SIGINT')
    expect(await exited, out).to.equal(0)
    await waitFor('no journalctl left on the server', async () => (await root('pgrep -c journalctl || true')) === '0', 30_000, 500)
    const r = await releases()
    expect(r.releases[0]).to.deep.include({version: '0.1.0+3', current: true, how: 'restart', by: 'gatling test <test@example.com>'})
  })

  it('restart: zero downtime under load, a new OS process, the same release, no build', async () => {
    const before = primary(await status())
    const restart = gatling('restart')
    const load = await loadDuring(`http://${host.address}/`, restart)
    const r = ok(await restart)
    printLoad('gatling restart', load)
    expect(r.stdout).to.not.include('mix release')
    expect(load.failed, load.failures.join('\n')).to.equal(0)
    expect(load.lastedUntilStop).to.equal(true)
    expect(load.ok).to.be.greaterThan(20)
    const after = await status()
    expect(primary(after).pid).to.not.equal(before.pid)
    expect(primary(after).pid).to.equal(Number((await info(host)).pid))
    expect(after).to.deep.include({version: before.version, mode: 'restarted'})
    expect((await releases()).releases.map((x) => x.version)).to.deep.equal(['0.1.0+3', '0.1.0+2', '0.1.0+1'])
  })

  it('stop asks first (refused without a terminal or --yes), then nginx answers 502; start brings it back', async () => {
    const refused = await gatling('stop')
    expect(refused.code).to.equal(1)
    expect(refused.stderr).to.include('needs a confirmation').and.include('--yes')
    expect((await httpGet(`http://${host.address}/`)).status).to.equal(200)
    ok(await gatling('stop', '--yes'))
    expect([502, 503]).to.include((await httpGet(`http://${host.address}/`)).status)
    const stopped = await status()
    expect(stopped.version).to.equal(null)
    expect(stopped.instances.every((i) => i.pid === null)).to.equal(true)
    expect(stopped.health.ok).to.equal(false)
    ok(await gatling('start', '--yes'))
    expect((await httpGet(`http://${host.address}/`)).status).to.equal(200)
    expect(await body(host, '/')).to.equal('bonjour from v2')
    expect((await status()).version).to.equal('0.1.0+3')
  })

  it('bad input: an unknown command suggests the closest, an unknown app is refused; nothing changes', async () => {
    const pid = primary(await status()).pid
    const typo = await app.gatling(['psuh'])
    expect(typo.code).to.equal(127)
    expect(typo.stderr.replace(/\s*›\s*/g, ' ')).to.include('Did you mean "gatling push"?')
    const unknown = await gatling('status', '-a', 'nope')
    expect(unknown.code).to.equal(1)
    expect(unknown.stderr).to.include('Unknown app "nope"')
    expect(ok(await app.gatling(['-h'])).stdout).to.include('COMMANDS')
    expect(primary(await status()).pid).to.equal(pid)
  })
})
