// gatling-root toolchain: which Erlang/OTP it takes on which server (an upstream build for Ubuntu 22.04+ on
// amd64/arm64 at builds/otp/ARCH/ubuntu-VER/, the distribution's OTP when it is the pinned major, else the
// source release), read from the URL it asks for first; run against a temporary root with stub programs
// (FakeServer): curl fails every download, so nothing is installed and the error names the URL and the setting.
import {expect} from 'chai'
import {mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

import {FakeServer} from '../support.js'

const OS = {
  ubuntu2404: 'ID=ubuntu\nVERSION_ID="24.04"\nPRETTY_NAME="Ubuntu 24.04 LTS"\n',
  ubuntu2204: 'ID=ubuntu\nVERSION_ID="22.04"\nPRETTY_NAME="Ubuntu 22.04.4 LTS"\n',
  ubuntu2004: 'ID=ubuntu\nVERSION_ID="20.04"\nPRETTY_NAME="Ubuntu 20.04.6 LTS"\n',
  debian11: 'ID=debian\nVERSION_ID="11"\nPRETTY_NAME="Debian GNU/Linux 11 (bullseye)"\n',
  debian12: 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
}
const MIRROR = 'http://mirror.test:8088'
const SOURCE = 'https://source.test/otp'

describe('server/gatling-root toolchain', function () {
  this.timeout(30_000)
  let server: FakeServer
  beforeEach(() => {
    server = new FakeServer()
    server.initApp()
    mkdirSync(dirname(dirname(server.dirs.toolchains)), {recursive: true})
    server.answer('curl', ' ', 22, 'curl: (22) The requested URL returned error: 404')
  })
  afterEach(() => server.cleanup())

  const install = (os: string, otp: string, opts: {arch?: string; distro?: string} = {}) => {
    writeFileSync(server.dirs.osRelease, os)
    if (opts.arch) server.answer('dpkg', '--print-architecture', 0, opts.arch)
    if (opts.distro) {
      mkdirSync(join(server.dirs.distroErlang, 'releases', opts.distro.split('.')[0]), {recursive: true})
      writeFileSync(join(server.dirs.distroErlang, 'releases', opts.distro.split('.')[0], 'OTP_VERSION'), `${opts.distro}\n`)
    }
    const run = server.run(['toolchain', 'hello', otp, '1.18.3', MIRROR, SOURCE])
    expect(run.status, run.stderr).to.equal(2)
    expect(readdirSync(server.dirs.toolchains), 'nothing installed, nothing left').to.deep.equal([])
    return run
  }
  const firstDownload = () => server.calls('curl')[0]?.at(-1)

  it('Ubuntu 24.04 and 22.04 on amd64 and arm64: the upstream build of that release and architecture, its builds.txt first', () => {
    const run = install(OS.ubuntu2404, '27.3.4')
    expect(firstDownload()).to.equal(`${MIRROR}/builds/otp/amd64/ubuntu-24.04/builds.txt`)
    expect(run.stderr).to.equal(`gatling-root: could not download ${MIRROR}/builds/otp/amd64/ubuntu-24.04/builds.txt (The requested URL returned error: 404): let this server reach it, or set "toolchains.mirror" in gatling.json to a mirror it reaches (now ${MIRROR}). Nothing was installed; the toolchain and the release in use are untouched\n`)
  })

  it('Ubuntu 22.04 on arm64', () => {
    install(OS.ubuntu2204, '26.2.5', {arch: 'arm64'})
    expect(firstDownload()).to.equal(`${MIRROR}/builds/otp/arm64/ubuntu-22.04/builds.txt`)
  })

  it('curl is asked for exactly one file, over HTTPS or HTTP only, never following another protocol', () => {
    install(OS.ubuntu2404, '27.3.4')
    const call = server.calls('curl')[0]
    expect(call).to.include.members(['--proto', '=https,http', '-o', '--'])
  })

  for (const [name, os, arch] of [['Ubuntu 20.04 (no upstream build)', OS.ubuntu2004, 'amd64'], ['Debian 11', OS.debian11, 'amd64'], ['Ubuntu 24.04 on riscv64', OS.ubuntu2404, 'riscv64']] as const) {
    it(`${name}: the source release of the pinned version, its SHA256.txt first (toolchains.otpSource)`, () => {
      install(os, '25.2.3', {arch})
      expect(firstDownload()).to.equal(`${SOURCE}/OTP-25.2.3/SHA256.txt`)
    })
  }

  it("Debian 12 with a pin of its own OTP major: the distribution's OTP, and the Elixir build for that major from the mirror", () => {
    const run = install(OS.debian12, '25.3', {distro: '25.2.3'})
    expect(run.stdout).to.equal("Erlang/OTP 25.3: the distribution's OTP 25.2.3 is the pinned major 25, so it builds (no download)\n")
    expect(firstDownload()).to.equal(`${MIRROR}/builds/elixir/builds.txt`)
  })

  it('Debian 12 with another major than its OTP: the source release', () => {
    install(OS.debian12, '27.3.4', {distro: '25.2.3'})
    expect(firstDownload()).to.equal(`${SOURCE}/OTP-27.3.4/SHA256.txt`)
  })
})
