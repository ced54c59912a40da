// HTTPS with real certificates (issue 9): certbot on the test server gets them over ACME HTTP-01 from a
// local pebble (test/helpers/pebble.ts) bound to the host side of the server's link, whose DNS points the
// test domains at the server. Checked from outside, as a user would: curl with pebble's root verifies the
// served certificate, without it fails; HTTP answers 301 to the same path over HTTPS; the Phoenix-like
// fixture with force_ssl (no plain-HTTP overlay) serves over HTTPS; a forced renewal under load changes the
// served certificate with no failed request; a challenge that fails leaves the site serving as before.
import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {copyFile, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {TestApp, describeRun, loadDuring, waitFor} from '../helpers/app.js'
import {buildCli} from '../helpers/cli.js'
import {createRenamedApp} from '../helpers/attacks.js'
import {bootHost, shutdownAll, type TestHost} from '../helpers/hosts.js'
import {Pebble, curl, httpsGet, servedCertificate, wssRoundTrip} from '../helpers/pebble.js'

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
    const certStep = /Obtain the HTTPS certificate[^\n]*\[([\d.]+ m?s)\]/.exec(setup.stdout)?.[1]
    console.log(`      setup with a domain (packages, certbot, certificate): ${(setup.ms / 1000).toFixed(1)} s, of which the certificate step: ${certStep}`)
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
    // websockets over wss:// (LiveView's socket)
    const ws = await wssRoundTrip(host.address, 'app.test', '/live/websocket', root, 'ping')
    expect(ws.status).to.match(/^HTTP\/1\.1 101 /)
    expect(ws.reply).to.match(/^pong /)
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

describe('two apps on one server, each with its own domains and certificate (SNI): one from ACME, one your own', function () {
  this.timeout(900_000)
  let host: TestHost
  let pebble: Pebble
  let acmeApp: TestApp
  let ownApp: TestApp
  let root: string
  let ownCa: string
  const resolve = (name: string, port = 443) => ['--resolve', `${name}:${port}:${host.address}`]
  const json = async (app: TestApp) => JSON.parse(await readFile(join(app.dir, 'gatling.json'), 'utf8'))

  before(async () => {
    await buildCli()
    host = await bootHost('e2e-tls2')
    pebble = await Pebble.start(host)
    await pebble.addA('a.test', host.address)
    root = await pebble.root()
    acmeApp = await TestApp.create()
    await writeFile(join(acmeApp.dir, 'acme-ca.pem'), await pebble.acmeCa())
    await writeFile(join(acmeApp.dir, 'gatling.json'), `${JSON.stringify({domains: ['a.test'], tls: {email: 'ops@example.com', acme: pebble.directory, acmeCa: 'acme-ca.pem'}}, null, 2)}\n`)
    await acmeApp.commitAll('https')
    // your own certificate for other.test, from a CA of your own
    const openssl = (...args: string[]) => execFileSync('openssl', args, {cwd: pebble.dir, stdio: ['ignore', 'ignore', 'pipe']})
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'own-ca.key', '-out', 'own-ca.pem', '-days', '7', '-subj', '/CN=Own test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign')
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'own.key', '-out', 'own.csr', '-subj', '/CN=other.test')
    await writeFile(join(pebble.dir, 'own.ext'), 'subjectAltName=DNS:other.test\nextendedKeyUsage=serverAuth\n')
    openssl('x509', '-req', '-in', 'own.csr', '-CA', 'own-ca.pem', '-CAkey', 'own-ca.key', '-CAcreateserial', '-days', '5', '-out', 'own.crt', '-extfile', 'own.ext')
    ownCa = join(pebble.dir, 'own-ca.pem')
  })
  after(async () => {
    await host?.down()
    await pebble?.stop()
    await acmeApp?.cleanup()
    await ownApp?.cleanup()
  })

  it('each app serves its own domains with its own certificate', async () => {
    const setup = await acmeApp.setup(host)
    expect(setup.code, describeRun(setup)).to.equal(0)
    const push = await acmeApp.push(host)
    expect(push.code, describeRun(push)).to.equal(0)
    ownApp = await createRenamedApp(acmeApp, 'other', 'GREETING=other\n')
    for (const f of ['own.crt', 'own.key']) await copyFile(join(pebble.dir, f), join(ownApp.dir, f))
    const config = await json(ownApp)
    await writeFile(join(ownApp.dir, 'gatling.json'), `${JSON.stringify({...config, domains: ['other.test'], tls: {certificate: 'own.crt', key: 'own.key'}}, null, 2)}\n`)
    await ownApp.commitAll('own certificate')
    // a certificate from a CA of your own: the server must trust that CA too, as its visitors do (the
    // health check through nginx verifies the served certificate against the server's trust store)
    const trust = await host.ssh('root', 'cat >/usr/local/share/ca-certificates/own-test-ca.crt && update-ca-certificates >/dev/null 2>&1', {input: await readFile(ownCa, 'utf8')})
    expect(trust.code, trust.stderr).to.equal(0)
    const pushOwn = await ownApp.push(host)
    expect(pushOwn.code, describeRun(pushOwn)).to.equal(0)
    expect(pushOwn.stdout + pushOwn.stderr).to.not.include('PRIVATE KEY')
    const a = await httpsGet(host.address, root)('https://a.test/')
    expect(a.status, a.body).to.equal(200)
    const other = await httpsGet(host.address, await readFile(ownCa, 'utf8'))('https://other.test/')
    expect(other.status, other.body).to.equal(200)
    expect((await servedCertificate(host.address, 'a.test')).issuer).to.match(/Pebble/)
    expect((await servedCertificate(host.address, 'other.test')).issuer).to.equal('Own test CA')
    const key = await host.ssh('root', 'stat -c %a:%U:%G /etc/gatling/other/tls.key')
    expect(key.stdout.trim()).to.equal('600:root:root')
  })

  it('domains add: a new domain gets a certificate and HTTPS without a rebuild, and the other app is not touched', async () => {
    await pebble.addA('shop.a.test', host.address)
    const otherSite = await host.ssh('root', 'cat /etc/nginx/sites-available/gatling-other')
    const otherSerial = (await servedCertificate(host.address, 'other.test')).serial
    const add = await acmeApp.gatling(['domains', 'add', 'shop.a.test', '-i', host.keyPath])
    expect(add.code, describeRun(add)).to.equal(0)
    expect(add.stdout).to.not.include('mix release')
    expect((await json(acmeApp)).domains).to.deep.equal(['a.test', 'shop.a.test'])
    const shop = await curl(['--cacert', join(pebble.dir, 'root.pem'), ...resolve('shop.a.test'), 'https://shop.a.test/'])
    expect(shop.out, shop.err).to.match(/^200 /)
    expect((await host.ssh('root', 'cat /etc/nginx/sites-available/gatling-other')).stdout).to.equal(otherSite.stdout)
    expect((await servedCertificate(host.address, 'other.test')).serial).to.equal(otherSerial)

    const list = await acmeApp.gatling(['domains', '--json'])
    expect(list.code, describeRun(list)).to.equal(0)
    const report = JSON.parse(list.stdout)
    expect(report.app).to.equal('hello')
    expect(report.domains.map((d: {domain: string; served: boolean}) => [d.domain, d.served])).to.deep.equal([['a.test', true], ['shop.a.test', true]])
    expect(report.domains[0].issuer).to.match(/Pebble/)
    expect(report.domains[0].daysLeft).to.be.greaterThan(30)
    expect(report.domains[0].trusted, "pebble's root is not trusted on this machine").to.equal(false)
  })

  it('domains add of a domain the ACME server cannot reach: refused naming it, the site and gatling.json as before', async () => {
    const before = await host.ssh('root', 'cat /etc/nginx/sites-available/gatling-hello')
    const add = await acmeApp.gatling(['domains', 'add', 'nowhere.a.test', '-i', host.keyPath])
    expect(add.code, describeRun(add)).to.not.equal(0)
    expect(add.stderr).to.match(/no certificate for nowhere\.a\.test from https:\/\/\S+: .*nowhere\.a\.test/)
    expect((await json(acmeApp)).domains).to.deep.equal(['a.test', 'shop.a.test'])
    expect((await host.ssh('root', 'cat /etc/nginx/sites-available/gatling-hello')).stdout).to.equal(before.stdout)
    const bad = await acmeApp.gatling(['domains', 'add', 'exa_mple.test', '-i', host.keyPath])
    expect(bad.code).to.not.equal(0)
    expect(bad.stderr).to.include('"exa_mple.test" is not a host name').and.include('nothing was changed')
  })

  it('domains remove: the domain is no longer served by the app', async () => {
    const remove = await acmeApp.gatling(['domains', 'remove', 'shop.a.test', '-i', host.keyPath])
    expect(remove.code, describeRun(remove)).to.equal(0)
    expect((await json(acmeApp)).domains).to.deep.equal(['a.test'])
    const site = await host.ssh('root', 'cat /etc/nginx/sites-available/gatling-hello')
    expect(site.stdout).to.not.include('shop.a.test')
    const a = await httpsGet(host.address, root)('https://a.test/')
    expect(a.status).to.equal(200)
  })
})
