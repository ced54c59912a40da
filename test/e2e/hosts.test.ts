import {expect} from 'chai'
import {connect} from 'node:net'

import {bootHost, shutdownAll, type TestHost} from '../helpers/hosts.js'

// E2E_SUITES=bookworm,trixie,bullseye runs this against several Debian releases.
const suites = (process.env.E2E_SUITES ?? 'bookworm').split(',').filter(Boolean)

/** First line the server sends on a raw TCP connection (sshd's banner). */
function banner(address: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({host: address, port, timeout: 5000})
    sock.once('data', (d) => {
      resolve(d.toString().split('\n')[0])
      sock.destroy()
    })
    sock.once('timeout', () => sock.destroy(new Error('timeout')))
    sock.once('error', reject)
  })
}

// root-level: whatever a failed test left running
after(shutdownAll)

for (const suite of suites) {
  describe(`test host (${suite})`, () => {
    let host: TestHost

    before(async () => {
      host = await bootHost('e2e-hosts', {suite})
    })
    after(async () => host?.down())

    it('is reachable as root, with the name it was booted with', async () => {
      const r = await host.ssh('root', 'hostname')
      expect(r.code, r.stderr).to.equal(0)
      expect(r.stdout.trim()).to.equal(host.name)
    })

    it('has a deploy user with passwordless sudo', async () => {
      const r = await host.ssh('deploy', 'sudo -n id -un')
      expect(r.code, r.stderr).to.equal(0)
      expect(r.stdout.trim()).to.equal('root')
    })

    it('runs systemd', async () => {
      const r = await host.ssh('root', 'systemctl is-system-running --wait')
      expect(r.stdout.trim()).to.be.oneOf(['running', 'degraded'])
    })

    it('serves sshd on its own address and matches the pinned host key', async () => {
      expect(await banner(host.address, host.port)).to.match(/^SSH-2\.0-OpenSSH/)
      const line = await host.hostKeyLine()
      expect(line).to.match(new RegExp(`^${host.address.replaceAll('.', '\\.')} ssh-ed25519 AAAA`))
      const r = await host.ssh('root', 'cut -d" " -f1,2 /etc/ssh/ssh_host_ed25519_key.pub')
      expect(line.endsWith(r.stdout.trim())).to.equal(true)
    })

    it('reports failures with their exit code', async () => {
      const r = await host.ssh('root', 'echo oops >&2; exit 3')
      expect(r).to.deep.include({code: 3, stderr: 'oops\n'})
    })
  })
}
