// npm run bench: the figures published in the README, measured against a real test server.
// Not a test: it prints a table. Needs root (it boots a systemd-nspawn test host).
import {execFileSync, spawn} from 'node:child_process'
import {appendFileSync, closeSync, cpSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {Connection} from '../src/remote/connection.js'
import {resolveEndpoint} from '../src/remote/endpoint.js'
import {parseHostKey} from '../src/remote/host-keys.js'
import {cmd} from '../src/remote/shell.js'
import {loadDuring, waitFor} from '../test/helpers/app.js'
import {bootHost, shutdownAll} from '../test/helpers/hosts.js'
import {Pebble, httpsGet, servedCertificate} from '../test/helpers/pebble.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const cli = join(root, 'bin', 'run.js')
const rows: Array<[string, string, string]> = []
const row = (what: string, value: string, goal = '') => {
  rows.push([what, value, goal])
  console.log(`  ${what}: ${value}${goal ? `  (goal: ${goal})` : ''}`)
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]
const ms = (n: number) => `${n.toFixed(0)} ms`
const time = (fn: () => void) => {
  const t0 = performance.now()
  fn()
  return performance.now() - t0
}

function coldStart(): void {
  execFileSync('npx', ['oclif', 'manifest'], {cwd: root, stdio: 'ignore', env: {...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true'}})
  try {
    const node = median(Array.from({length: 20}, () => time(() => execFileSync('node', ['-e', '0']))))
    const help = median(Array.from({length: 20}, () => time(() => execFileSync('node', [cli, '--help']))))
    row('CLI cold start: gatling --help / node -e 0', `${ms(help)} / ${ms(node)} = ${(help / node).toFixed(1)}x`, '<= 2.5x')
  } finally {
    rmSync(join(root, 'oclif.manifest.json'), {force: true})
  }
}

interface Load {
  stop(): Promise<{total: number; failed: number; p50: number; p99: number; max: number}>
}

/** Bounded load: `parallel` loops of sequential GETs through nginx until stopped, at most `limit` requests. */
function startLoad(address: string, parallel = 4, limit = 40_000, hostHeader?: string): Load {
  const latencies: number[] = []
  let failed = 0
  let stopped = false
  const one = () => new Promise<void>((resolve) => {
    const t0 = performance.now()
    const req = http.get({host: address, port: 80, path: '/', agent: false, timeout: 5000, headers: hostHeader ? {host: hostHeader} : {}}, (res) => {
      res.resume()
      res.on('end', () => {
        if (res.statusCode === 200) latencies.push(performance.now() - t0)
        else failed++
        resolve()
      })
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', () => {
      failed++
      resolve()
    })
  })
  const loops = Array.from({length: parallel}, async () => {
    while (!stopped && latencies.length + failed < limit) await one()
  })
  return {
    async stop() {
      stopped = true
      await Promise.all(loops)
      return {total: latencies.length + failed, failed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies)}
    },
  }
}

const sleep = (n: number) => new Promise((r) => setTimeout(r, n))

interface Pinger {
  /** Round-trip times (ms) of the pings answered since the last call. */
  take(): number[]
  stop(): Promise<void>
}

/** A websocket (the Phoenix-like fixture's LiveView-like socket) pinged every 50 ms, each round trip timed. */
function startPinger(address: string, hostHeader: string): Promise<Pinger> {
  const client = join(root, 'test', 'fixtures', 'phoenixish-tools', 'ws-client.mjs')
  const child = spawn(process.execPath, [client, '--stdin', '--timeout', '30000', '--host', hostHeader, `ws://${address}/live/websocket`], {stdio: ['pipe', 'pipe', 'inherit']})
  let rtts: number[] = []
  let sentAt = 0
  let running = true
  let opened: () => void
  const open = new Promise<void>((resolve) => (opened = resolve))
  const ping = () => {
    if (!running) return
    sentAt = performance.now()
    child.stdin.write('text:ping\n')
  }
  let buffer = ''
  child.stdout.on('data', (data) => {
    buffer += data
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      const line = buffer.slice(0, i)
      buffer = buffer.slice(i + 1)
      if (line === 'OPEN') opened()
      if (line.startsWith('RECV text')) {
        rtts.push(performance.now() - sentAt)
        setTimeout(ping, 50)
      }
      if (line === 'CLOSED' || line.startsWith('ERROR')) throw new Error(`the websocket closed during the hot push: ${line}`)
    }
  })
  return open.then(() => {
    ping()
    return {
      take: () => [rtts, (rtts = [])][0],
      async stop() {
        running = false
        const closed = new Promise((r) => child.on('close', r))
        child.stdin.end('close\n')
        await closed
      },
    }
  })
}

async function main(): Promise<void> {
  console.log('gatling benchmark')
  coldStart()

  const host = await bootHost(`bench${process.pid % 1000}`)
  try {
    const home = mkdtempSync(join(tmpdir(), 'gatling-bench-'))
    mkdirSync(join(home, '.ssh'), {recursive: true})
    const hostKey = (await host.hostKeyLine()).split(' ').slice(1).join(' ')
    appendFileSync(join(home, '.ssh', 'known_hosts'), `${host.address} ${hostKey}\n`)
    const env = {...process.env, HOME: home, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'b@b'}

    // 20 trivial commands: one reused connection against 20 ssh processes
    const connection = await Connection.open(resolveEndpoint(`root@${host.address}`, {identity: host.keyPath}), {knownHostsFile: join(home, '.ssh', 'known_hosts'), pinned: parseHostKey(hostKey), acceptNew: false, interactive: false})
    for (let i = 0; i < 5; i++) await connection.exec(cmd('true')) // warm-up: JIT, first channel
    const t0 = performance.now()
    for (let i = 0; i < 20; i++) await connection.exec(cmd('true'))
    const reused = performance.now() - t0
    connection.close()
    const separate = time(() => {
      for (let i = 0; i < 20; i++) execFileSync('ssh', [...host.sshArgs('root'), 'true'])
    })
    row('20 remote commands: 20 ssh processes / one gatling connection (after 5 warm-up commands)', `${ms(separate)} / ${ms(reused)} = ${(separate / reused).toFixed(0)}x`, '>= 40x')

    // first push, warm push, one-line change against the same commands as one shell script
    const app = join(home, 'hello')
    cpSync(join(root, 'test', 'fixtures', 'hello'), app, {recursive: true})
    const git = (...args: string[]) => execFileSync('git', args, {cwd: app, env, stdio: 'pipe'})
    git('init', '-q', '-b', 'main')
    writeFileSync(join(app, '.env.production'), 'GREETING=bench\n')
    // async: the load generator shares this event loop and must keep sending while gatling runs
    const gatlingIn = (cwd: string) => (...args: string[]) => new Promise<{ms: number; output: string}>((resolve, reject) => {
      const t = performance.now()
      const child = spawn('node', [cli, ...args, '-i', host.keyPath, '--verbose'], {cwd, env, stdio: ['ignore', 'pipe', 'pipe']})
      let output = ''
      child.stdout.on('data', (d) => (output += d))
      child.stderr.on('data', (d) => (output += d))
      child.on('close', (code) => (code === 0 ? resolve({ms: performance.now() - t, output}) : reject(new Error(`gatling ${args.join(' ')} failed:\n${output}`))))
    })
    const gatling = gatlingIn(app)
    row('gatling setup (fresh server)', ms((await gatling('setup', `root@${host.address}`)).ms))
    git('add', '-A')
    git('commit', '-qm', 'v1')
    const first = await gatling('push')
    row('first push (cold build caches)', ms(first.ms))
    const change = (n: number) => {
      appendFileSync(join(app, 'lib', 'hello.ex'), `# change ${n}\n`)
      git('commit', '-qam', `change ${n}`)
    }
    change(1)
    const warm = await gatling('push')
    row('push of a one-line change (warm caches, hot upgrade) / first push', `${ms(warm.ms)} / ${ms(first.ms)} = ${(warm.ms / first.ms).toFixed(2)}`)
    const steps = [...warm.output.matchAll(/\[COMPLETED\] (.+?)(?: \(unchanged\))? \[([\d.]+) (ms|s)\]/g)].map((m) => `${m[1]} ${m[2]} ${m[3]}`)
    console.log(`    steps: ${steps.join('; ')}`)

    // the seed's manual deploy: the same remote commands as one shell script over one ssh session
    change(2)
    const rev = git('rev-parse', 'HEAD').toString().trim()
    const sshCommand = `ssh ${host.sshArgs('gatling').slice(0, -1).join(' ')}`
    const manual = time(() => {
      execFileSync('git', ['push', '-q', '-f', '-o', 'gatling-cli', `gatling@${host.address}:/srv/gatling/hello/repo.git`, 'main'], {cwd: app, env: {...env, GIT_SSH_COMMAND: sshCommand}, stdio: 'pipe'})
      execFileSync('ssh', [...host.sshArgs('gatling'), `/srv/gatling/hello/tools/deploy ${rev}`], {stdio: 'pipe'})
    })
    change(3)
    const scripted = await gatling('push')
    row('one-line change: gatling push / same commands as one ssh script', `${ms(scripted.ms)} / ${ms(manual)} = ${(scripted.ms / manual).toFixed(2)}`, '<= 1.10')

    // availability: steady state, during a hot upgrade, during a zero-downtime restart
    const steady = startLoad(host.address)
    await sleep(4000)
    const s = await steady.stop()
    const report = (what: string, r: Awaited<ReturnType<Load['stop']>>, wall?: number) =>
      row(what, `${r.failed} failed / ${r.total}; p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms${wall ? `; push ${ms(wall)}` : ''}`)
    report('steady state', s)
    change(4)
    const hotLoad = startLoad(host.address)
    const hot = await gatling('push')
    const h = await hotLoad.stop()
    report('during a hot upgrade', h, hot.ms)
    row('p99 during hot upgrade / steady p99', `${(h.p99 / s.p99).toFixed(2)}x`, '<= 2x')
    change(5)
    const restartLoad = startLoad(host.address)
    const restart = await gatling('push', '--restart')
    report('during a zero-downtime restart', await restartLoad.stop(), restart.ms)

    // db backup: gatling's stream over its own connection against the same remote command through plain ssh, same database
    writeFileSync(join(app, 'gatling.json'), `${JSON.stringify({...JSON.parse(readFileSync(join(app, 'gatling.json'), 'utf8')), database: 'postgres'}, null, 2)}\n`)
    await gatling('setup', `root@${host.address}`) // installs PostgreSQL
    await gatling('db', 'create')
    await gatling('db', 'psql', '-c', 'create table bench as select i, md5(i::text) as a, md5((i + 1)::text) as b from generate_series(1, 1000000) i')
    const dumps = mkdtempSync(join(tmpdir(), 'gatling-bench-dump-'))
    const viaGatling = await gatling('db', 'backup', '-o', join(dumps, 'gatling.dump'))
    const out = openSync(join(dumps, 'ssh.dump'), 'w')
    const viaSsh = time(() => execFileSync('ssh', [...host.sshArgs('gatling'), 'sudo -n /usr/local/sbin/gatling-root db-dump hello'], {stdio: ['ignore', out, 'pipe']}))
    closeSync(out)
    const size = statSync(join(dumps, 'gatling.dump')).size
    rmSync(dumps, {recursive: true, force: true})
    row(`db backup of a ${(size / 1048576).toFixed(0)} MB dump: gatling db backup / the same pg_dump -Fc through plain ssh`, `${ms(viaGatling.ms)} / ${ms(viaSsh)} = ${(viaGatling.ms / viaSsh).toFixed(2)}`, '<= 1.1x')
    // day two: gatling status against what it cannot avoid (node's start and one SSH round trip), and how
    // long a line the app writes on the server takes to reach gatling logs -f
    const run = (...args: string[]) => execFileSync('node', [cli, ...args, '-i', host.keyPath], {cwd: app, env, stdio: 'pipe'})
    run('status') // warm: the page cache, the server's sudo and systemctl
    const statusMs = median(Array.from({length: 7}, () => time(() => run('status'))))
    const nodeMs = median(Array.from({length: 7}, () => time(() => execFileSync('node', ['-e', '0']))))
    const sshMs = median(Array.from({length: 7}, () => time(() => execFileSync('ssh', [...host.sshArgs('gatling'), 'true']))))
    row('gatling status / (node -e 0 + one ssh round trip)', `${ms(statusMs)} / (${ms(nodeMs)} + ${ms(sshMs)}) = ${(statusMs / (nodeMs + sshMs)).toFixed(1)}x`)
    const envListMs = median(Array.from({length: 7}, () => time(() => run('env', 'list'))))
    row('gatling env list / (node -e 0 + one ssh round trip)', `${ms(envListMs)} / (${ms(nodeMs)} + ${ms(sshMs)}) = ${(envListMs / (nodeMs + sshMs)).toFixed(1)}x`)
    const follow = spawn('node', [cli, 'logs', '-f', '-n', '1', '-i', host.keyPath], {cwd: app, env, stdio: ['ignore', 'pipe', 'pipe']})
    const arrivals = new Map<string, number>()
    follow.stdout.on('data', (d: Buffer) => {
      for (const m of d.toString().matchAll(/bench-latency-([0-9]+)/g)) if (!arrivals.has(m[1])) arrivals.set(m[1], Date.now() * 1e6)
    })
    await sleep(5000)
    const latencies: number[] = []
    for (let i = 0; i < 5; i++) {
      // the node stamps the line with its own clock (the test host shares this machine's)
      run('eval', 'require Logger; Logger.warning("bench-latency-#{System.os_time(:nanosecond)}")')
      await waitFor('the line in gatling logs -f', async () => arrivals.size > i, 30_000, 20)
      const [stamp, at] = [...arrivals.entries()][i]
      latencies.push((at - Number(stamp)) / 1e6)
    }
    follow.kill('SIGINT')
    row('gatling logs -f: a line the app writes, to the CLI\'s stdout', `p50 ${ms(median(latencies))}, max ${ms(Math.max(...latencies))} (${latencies.length})`)

    // the Phoenix-like fixture beside it (its own domain): first push, then a hot push with a websocket open
    const phx = join(home, 'phoenixish')
    const domain = 'phoenixish.bench.test'
    for (const layer of ['phoenixish', 'phoenixish-plainhttp']) cpSync(join(root, 'test', 'fixtures', layer), phx, {recursive: true})
    const pgit = (...args: string[]) => execFileSync('git', args, {cwd: phx, env, stdio: 'pipe'})
    pgit('init', '-q', '-b', 'main')
    writeFileSync(join(phx, 'gatling.json'), `${JSON.stringify({hosts: [{address: host.address, hostKey}], domains: [domain]}, null, 2)}\n`)
    pgit('add', '-A')
    pgit('commit', '-qm', 'v1')
    const inPhx = gatlingIn(phx)
    const phxFirst = await inPhx('push')
    row('Phoenix-like app (phoenixish): first push (cold build caches, rebar3 dependency, assets)', ms(phxFirst.ms))
    const pinger = await startPinger(host.address, domain)
    await sleep(3000)
    const wsBefore = pinger.take()
    cpSync(join(root, 'test', 'fixtures', 'phoenixish-v2'), phx, {recursive: true})
    pgit('commit', '-qam', 'v2: new stylesheet, new socket code')
    const phxLoad = startLoad(host.address, 4, 40_000, domain)
    const phxHot = await inPhx('push')
    const wsDuring = pinger.take()
    const pl = await phxLoad.stop()
    await sleep(3000)
    const wsAfter = pinger.take()
    await pinger.stop()
    row('Phoenix-like app: hot push (asset and socket change) / its first push', `${ms(phxHot.ms)} / ${ms(phxFirst.ms)} = ${(phxHot.ms / phxFirst.ms).toFixed(2)}`)
    report('Phoenix-like app: during its hot push', pl, phxHot.ms)
    const rtt = (xs: number[]) => `p50 ${median(xs).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms (${xs.length})`
    row('websocket open through the hot push, ping round trip: before / during / after', `${rtt(wsBefore)} / ${rtt(wsDuring)} / ${rtt(wsAfter)}`, 'stays open')

    // HTTPS: a first certificate (setup with tls, from pebble, a local ACME server), then a forced renewal under load
    const pebble = await Pebble.start(host)
    try {
      await pebble.addA(domain, host.address)
      writeFileSync(join(phx, 'acme-ca.pem'), await pebble.acmeCa())
      writeFileSync(join(phx, 'gatling.json'), `${JSON.stringify({hosts: [{address: host.address, hostKey}], domains: [domain], tls: {email: 'ops@example.com', acme: pebble.directory, acmeCa: 'acme-ca.pem'}}, null, 2)}\n`)
      const tlsSetup = await inPhx('setup', `root@${host.address}`)
      row('HTTPS: time to a first certificate (gatling setup with a domain and tls: certbot installed, HTTP-01 from a local ACME server)', ms(tlsSetup.ms))
      const get = httpsGet(host.address, await pebble.root())
      const url = `https://${domain}/health`
      const steadyTls = await loadDuring(url, sleep(4000), {workers: 4, get})
      const before = await servedCertificate(host.address, domain)
      const t0 = performance.now()
      let renewMs = 0
      const renewal = (async () => {
        await host.ssh('root', 'certbot renew --force-renewal --no-random-sleep-on-renew')
        await waitFor('the renewed certificate served', async () => (await servedCertificate(host.address, domain)).serial !== before.serial, 30_000, 200)
        renewMs = performance.now() - t0
      })()
      const renewLoad = await loadDuring(url, renewal, {workers: 4, get})
      await renewal
      row('HTTPS steady state, 4 clients', `${steadyTls.failed} failed / ${steadyTls.requests}; p99 ${steadyTls.p99LatencyMs} ms`)
      row('HTTPS: forced certificate renewal under load', `${renewLoad.failed} failed / ${renewLoad.requests}; p99 ${renewLoad.p99LatencyMs} ms (${(renewLoad.p99LatencyMs / Math.max(1, steadyTls.p99LatencyMs)).toFixed(2)}x steady); renewal to served ${ms(renewMs)}`, '0 failed')
    } finally {
      await pebble.stop()
    }
  } finally {
    await shutdownAll()
  }

  console.log('\n| measure | result | goal |\n| --- | --- | --- |')
  for (const [what, value, goal] of rows) console.log(`| ${what} | ${value} | ${goal} |`)
}

await main()
