// A local ACME server for the HTTPS e2e tests: Debian's pebble (Let's Encrypt's test ACME server) and
// pebble-challtestsrv (its DNS), both bound to the host side of a test host's link (10.231.N.1), so that
// every test host can have its own pair with no port clash (../../../shared/TLS-TESTING.md). Pebble checks
// each HTTP-01 challenge for real, on port 80 of the address its DNS gives for the name.
import {type ChildProcess, execFileSync, spawn} from 'node:child_process'
import {openSync} from 'node:fs'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {request} from 'node:https'
import {connect} from 'node:tls'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {type HttpResult, runProgram, waitFor} from './app.js'
import type {TestHost} from './hosts.js'

export const PEBBLE_PORTS = {acme: 14000, management: 15000, dns: 8053, dnsManagement: 8055}

export class Pebble {
  private constructor(readonly hostSide: string, readonly dir: string, private readonly children: ChildProcess[]) {}

  /** The ACME directory URL certbot on the test host uses. */
  get directory(): string {
    return `https://${this.hostSide}:${PEBBLE_PORTS.acme}/dir`
  }

  /** The CA of pebble's own HTTPS listener (made here: the Debian package ships none). */
  get listenerCa(): string {
    return join(this.dir, 'listener-ca.pem')
  }

  /** Starts pebble and its DNS on the host side of HOST's link; names resolve only once added. */
  static async start(host: TestHost): Promise<Pebble> {
    const hostSide = host.address.replace(/\.2$/, '.1')
    const dir = await mkdtemp(join(tmpdir(), 'gatling-pebble-'))
    const openssl = (...args: string[]) => execFileSync('openssl', args, {cwd: dir, stdio: ['ignore', 'ignore', 'pipe']})
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'listener-ca.pem', '-days', '7',
      '-subj', '/CN=pebble listener test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign')
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'key.pem', '-out', 'srv.csr', '-subj', '/CN=pebble')
    await writeFile(join(dir, 'san.ext'), `subjectAltName=IP:${hostSide},DNS:localhost\nextendedKeyUsage=serverAuth\n`)
    openssl('x509', '-req', '-in', 'srv.csr', '-CA', 'listener-ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '7', '-out', 'cert.pem', '-extfile', 'san.ext')
    await writeFile(join(dir, 'pebble.json'), JSON.stringify({pebble: {
      listenAddress: `${hostSide}:${PEBBLE_PORTS.acme}`, managementListenAddress: `${hostSide}:${PEBBLE_PORTS.management}`,
      certificate: join(dir, 'cert.pem'), privateKey: join(dir, 'key.pem'),
      httpPort: 80, tlsPort: 443, ocspResponderURL: '', externalAccountBindingRequired: false,
    }}))
    const log = (name: string) => openSync(join(dir, `${name}.log`), 'a')
    const dns = spawn('pebble-challtestsrv', ['-defaultIPv4', '', '-defaultIPv6', '', '-dns01', `${hostSide}:${PEBBLE_PORTS.dns}`, '-http01', '', '-https01', '', '-tlsalpn01', '',
      '-management', `${hostSide}:${PEBBLE_PORTS.dnsManagement}`], {stdio: ['ignore', log('challtestsrv'), log('challtestsrv')]})
    // no nonce rejections and no reused authorizations: every order is validated for real, runs are deterministic
    const acme = spawn('pebble', ['-config', join(dir, 'pebble.json'), '-dnsserver', `${hostSide}:${PEBBLE_PORTS.dns}`],
      {stdio: ['ignore', log('pebble'), log('pebble')], env: {...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0'}})
    const pebble = new Pebble(hostSide, dir, [dns, acme])
    await waitFor('pebble to answer', async () => (await runProgram('curl', ['-sf', '--cacert', pebble.listenerCa, pebble.directory])).code === 0, 20_000, 200)
    return pebble
  }

  /** DNS: NAME resolves to ADDRESS (for pebble's validation). */
  async addA(name: string, address: string): Promise<void> {
    const r = await runProgram('curl', ['-sf', '-d', JSON.stringify({host: name, addresses: [address]}), `http://${this.hostSide}:${PEBBLE_PORTS.dnsManagement}/add-a`])
    if (r.code !== 0) throw new Error(`challtestsrv add-a ${name}: ${r.stderr}`)
  }

  /** The root pebble issues from (a new one at every start), as PEM, written to root.pem. */
  async root(): Promise<string> {
    const r = await runProgram('curl', ['-sf', '--cacert', this.listenerCa, `https://${this.hostSide}:${PEBBLE_PORTS.management}/roots/0`])
    if (r.code !== 0) throw new Error(`pebble /roots/0: ${r.stderr}`)
    await writeFile(join(this.dir, 'root.pem'), r.stdout)
    return r.stdout
  }

  /** What tls.acmeCa holds for pebble: the CA of its HTTPS listener and the root it issues from. */
  async acmeCa(): Promise<string> {
    return `${await readFile(this.listenerCa, 'utf8')}${await this.root()}`
  }

  async log(): Promise<string> {
    return readFile(join(this.dir, 'pebble.log'), 'utf8').catch(() => '')
  }

  async stop(): Promise<void> {
    for (const child of this.children) child.kill()
    await Promise.all(this.children.map((child) => (child.exitCode === null && child.signalCode === null ? new Promise((r) => child.once('exit', r)) : undefined)))
    await rm(this.dir, {recursive: true, force: true})
  }
}

/** GET https://NAME/PATH at ADDRESS (SNI and Host NAME), trusting only CA. */
export function httpsGet(address: string, ca: string): (url: string, timeoutMs?: number) => Promise<HttpResult> {
  return (url, timeoutMs = 5000) => new Promise((resolve, reject) => {
    const u = new URL(url)
    const req = request({host: address, port: 443, path: `${u.pathname}${u.search}`, servername: u.hostname, headers: {host: u.hostname}, ca, agent: false}, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body, headers: res.headers} as HttpResult))
      res.on('error', reject)
    })
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${url}`)))
    req.on('error', reject)
    req.end()
  })
}

/** The certificate ADDRESS:443 serves for NAME (SNI): serial, issuer and expiry. */
export function servedCertificate(address: string, name: string): Promise<{serial: string; issuer: string; validTo: string}> {
  return new Promise((resolve, reject) => {
    const socket = connect({host: address, port: 443, servername: name, rejectUnauthorized: false}, () => {
      const cert = socket.getPeerCertificate()
      socket.end()
      resolve({serial: cert.serialNumber, issuer: String(cert.issuer?.CN ?? ''), validTo: cert.valid_to})
    })
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')))
    socket.on('error', reject)
  })
}

/** curl from this machine, like a user: `curl --resolve NAME:PORT:ADDRESS …`; prints "CODE REDIRECT" and curl's exit. */
export async function curl(args: string[]): Promise<{code: number; out: string; err: string}> {
  const r = await runProgram('curl', ['-sS', '-o', '/dev/null', '-m', '10', '-w', '%{http_code} %{redirect_url} %{http_version}', ...args])
  return {code: r.code, out: r.stdout.trim(), err: r.stderr.trim()}
}

/** A websocket over TLS to wss://NAME/PATH at ADDRESS, trusting only CA: sends one text frame and returns the upgrade status line and the first text frame back. */
export function wssRoundTrip(address: string, name: string, path: string, ca: string, text: string): Promise<{status: string; reply: string}> {
  return new Promise((resolve, reject) => {
    const socket = connect({host: address, port: 443, servername: name, ca, ALPNProtocols: ['http/1.1']}, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${name}\r\nOrigin: https://${name}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`)
    })
    let buffer = Buffer.alloc(0)
    let status = ''
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no websocket answer: ${status || buffer.toString()}`)))
    socket.on('error', reject)
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk])
      if (!status) {
        const end = buffer.indexOf('\r\n\r\n')
        if (end < 0) return
        status = buffer.subarray(0, buffer.indexOf('\r\n')).toString()
        buffer = buffer.subarray(end + 4)
        if (!status.includes(' 101 ')) {
          socket.destroy()
          return resolve({status, reply: ''})
        }
        // one masked text frame (client frames must be masked)
        const payload = Buffer.from(text)
        const mask = Buffer.from([1, 2, 3, 4])
        socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]))]))
      }
      if (buffer.length >= 2) {
        const length = buffer[1] & 0x7f
        if (length < 126 && buffer.length >= 2 + length) {
          socket.destroy()
          resolve({status, reply: buffer.subarray(2, 2 + length).toString()})
        }
      }
    })
  })
}
