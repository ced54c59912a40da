// HTTPS with real certificates (issue 9): certbot on the test server gets them over ACME HTTP-01 from a
// local pebble (test/helpers/pebble.ts) bound to the host side of the server's link, whose DNS points the
// test domains at the server. Checked from outside, as a user would: curl with pebble's root verifies the
// served certificate, without it fails; HTTP answers 301 to the same path over HTTPS; the Phoenix-like
// fixture with force_ssl (no plain-HTTP overlay) serves over HTTPS; a forced renewal under load changes the
// served certificate with no failed request; a challenge that fails leaves the site serving as before.
import {expect} from 'chai'
import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {TestApp, describeRun, loadDuring, waitFor} from '../helpers/app.js'
import {buildCli} from '../helpers/cli.js'
import {bootHost, shutdownAll, type TestHost} from '../helpers/hosts.js'
import {Pebble, curl, httpsGet, servedCertificate} from '../helpers/pebble.js'

after(shutdownAll)

describe('HTTPS: certificates from an ACME server, redirects, renewal', function () {
  this.timeout(600_000)
  let host: TestHost
  let pebble: Pebble
  let app: TestApp
  let root: string
  let rootFile: string
  const DOMAINS = ['app.test', 'www.app.test']

  const config = async (change: (json: Record<string, unknown>) => void) => {
    const file = join(app.dir, 'gatling.json')
    const json = JSON.parse(await readFile(file, 'utf8').catch(() => '{}'))
    change(json)
    await writeFile(file, `${JSON.stringify(json, null, 2)}\n`)
    await app.commitAll('gatling.json')
  }
  const resolve = (name: string, port = 443) => ['--resolve', `${name}:${port}:${host.address}`]

  before(async () => {
    await buildCli()
    host = await bootHost('e2e-tls')
    pebble = await Pebble.start(host)
    for (const name of DOMAINS) await pebble.addA(name, host.address)
    root = await pebble.root()
    rootFile = join(pebble.dir, 'root.pem')
    // phx.new's prod.exs: force_ssl, with X-Forwarded-Proto honoured (no phoenixish-plainhttp overlay)
    app = await TestApp.create({fixture: 'phoenixish'})
    await writeFile(join(app.dir, 'acme-ca.pem'), await pebble.acmeCa())
    await config((json) => {
      json.domains = DOMAINS
      json.healthCheck = '/health'
      json.tls = {email: 'ops@example.com', acme: pebble.directory, acmeCa: 'acme-ca.pem'}
    })
  })
  after(async () => {
    await host?.down()
    await pebble?.stop()
    await app?.cleanup()
  })

  it('setup gets a certificate for every domain: served with the ACME root, refused without it; HTTP answers 301 to the same path over HTTPS', async () => {
    const setup = await app.setup(host)
    expect(setup.code, describeRun(setup)).to.equal(0)
    console.log(`      setup with a domain (packages, certbot, certificate): ${(setup.ms / 1000).toFixed(1)} s`)
    expect(setup.stdout, describeRun(setup)).to.match(/certificate for app\.test www\.app\.test issued by .*Pebble/)
    // nothing deployed yet: nginx answers (502) over a verified TLS connection
    for (const name of DOMAINS) {
      const verified = await curl(['--cacert', rootFile, ...resolve(name), `https://${name}/`])
      expect(verified.code, `${name}: ${verified.err}`).to.equal(0)
      const unverified = await curl([...resolve(name), `https://${name}/`])
      expect(unverified.code, `${name} without pebble's root: ${unverified.out}`).to.equal(60)
    }
    const redirect = await curl([...resolve('app.test', 80), 'http://app.test/a/b?c=1&d=2'])
    expect(redirect.out).to.match(/^301 https:\/\/app\.test\/a\/b\?c=1&d=2 /)
    const challenge = await curl([...resolve('app.test', 80), 'http://app.test/.well-known/acme-challenge/nothing'])
    expect(challenge.out, 'the challenge path is not redirected').to.match(/^404 /)
    const timer = await host.ssh('root', 'systemctl is-enabled certbot.timer && systemctl is-active certbot.timer && test -x /etc/letsencrypt/renewal-hooks/deploy/gatling-reload-nginx && echo ok')
    expect(timer.stdout.trim().split('\n').at(-1), timer.stdout + timer.stderr).to.equal('ok')
  })

  it('push: the Phoenix-like app with force_ssl serves over HTTPS (HTTP/2, TLS 1.2+, no redirect loop), and the health check verified the certificate', async () => {
    const push = await app.push(host)
    expect(push.code, describeRun(push)).to.equal(0)
    expect(push.stdout, describeRun(push)).to.include('(https://app.test, certificate verified)')
    expect(push.stdout).to.match(/certificate for app\.test www\.app\.test unchanged/)
    expect(push.stdout).to.include('Deployed phoenixish').and.include('https://app.test/')
    const get = httpsGet(host.address, root)
    const health = await get('https://app.test/health')
    expect(health.status, health.body).to.equal(200)
    const page = await get('https://www.app.test/')
    expect(page.status, page.body.slice(0, 300)).to.equal(200)
    const h2 = await curl(['--cacert', rootFile, '--http2', ...resolve('app.test'), 'https://app.test/health'])
    expect(h2.out).to.match(/^200 +2$/)
    const old = await curl(['--cacert', rootFile, '--tlsv1.1', '--tls-max', '1.1', ...resolve('app.test'), 'https://app.test/health'])
    expect(old.code, `TLS 1.1: ${old.out}`).to.not.equal(0)
    // the app sees https (X-Forwarded-Proto): no redirect; HTTP still goes to HTTPS first
    const viaHttp = await curl([...resolve('app.test', 80), 'http://app.test/health'])
    expect(viaHttp.out).to.match(/^301 https:\/\/app\.test\/health /)
  })

  it('a forced renewal under load: the served certificate changes, with no failed request', async () => {
    const before = await servedCertificate(host.address, 'app.test')
    let renewMs = 0
    const renewal = (async () => {
      await new Promise((r) => setTimeout(r, 1500))
      const t0 = Date.now()
      const r = await host.ssh('root', 'certbot renew --force-renewal --no-random-sleep-on-renew 2>&1')
      renewMs = Date.now() - t0
      expect(r.code, r.stdout).to.equal(0)
      await waitFor('the renewed certificate served', async () => (await servedCertificate(host.address, 'app.test')).serial !== before.serial, 20_000, 200)
      await new Promise((r) => setTimeout(r, 1500))
    })()
    const load = await loadDuring('https://app.test/health', renewal, {workers: 4, get: httpsGet(host.address, root)})
    await renewal
    const afterRenewal = await servedCertificate(host.address, 'app.test')
    console.log(`      renewal: ${(renewMs / 1000).toFixed(1)} s; load ${load.requests} requests, ${load.failed} failed, p99 ${load.p99LatencyMs} ms, max ${load.maxLatencyMs} ms`)
    expect(afterRenewal.serial).to.not.equal(before.serial)
    expect(load.failed, load.failures.join('\n')).to.equal(0)
    expect(load.requests).to.be.greaterThan(20)
  })

  it('a domain the ACME server cannot reach: the push fails naming it and what the server said; the site serves as before', async () => {
    const siteBefore = await host.ssh('root', 'cat /etc/nginx/sites-available/gatling-phoenixish')
    await config((json) => {
      json.domains = [...DOMAINS, 'nowhere.test']
    })
    const push = await app.push(host)
    expect(push.code, describeRun(push)).to.not.equal(0)
    expect(push.stderr, describeRun(push)).to.match(/no certificate for nowhere\.test from https:\/\/\S+: .*nowhere\.test/)
    expect(push.stderr).to.include('Obtain the HTTPS certificate')
    const health = await httpsGet(host.address, root)('https://app.test/health')
    expect(health.status, 'HTTPS of the other domains').to.equal(200)
    const site = await host.ssh('root', 'nginx -t -q && cat /etc/nginx/sites-available/gatling-phoenixish; ls /etc/nginx/sites-available/')
    expect(site.code, site.stderr).to.equal(0)
    // nowhere.test is served over plain HTTP (as any name without a certificate), the others as before
    expect(site.stdout).to.match(/server_name nowhere\.test;/)
    expect(site.stdout.replace(/# plain http \{[\s\S]*# \} plain http\n\n/, '')).to.include(siteBefore.stdout.replace(/^[\s\S]*# https \{/, '# https {'))
    expect(site.stdout).to.not.include('.prev')
    await config((json) => {
      json.domains = DOMAINS
    })
  })
})
