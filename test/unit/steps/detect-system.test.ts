import {expect} from 'chai'
import {existsSync, readFileSync} from 'node:fs'

import {GatlingError} from '../../../src/errors.js'
import {assertSupported, detectSystem, parseOsRelease} from '../../../src/steps/detect-system.js'
import {okResult as result, setupContext} from '../support.js'

const OS_RELEASE = {
  debian11: 'PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"\nNAME="Debian GNU/Linux"\nVERSION_ID="11"\nVERSION="11 (bullseye)"\nID=debian\n',
  debian12: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\nHOME_URL="https://www.debian.org/"\n',
  debian13: 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nNAME="Debian GNU/Linux"\nVERSION_ID="13"\nID=debian\n',
  ubuntu2004: 'NAME="Ubuntu"\nVERSION="20.04.6 LTS (Focal Fossa)"\nID=ubuntu\nID_LIKE=debian\nPRETTY_NAME="Ubuntu 20.04.6 LTS"\nVERSION_ID="20.04"\n',
  ubuntu2204: 'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\nID_LIKE=debian\n',
  ubuntu2404: 'PRETTY_NAME="Ubuntu 24.04 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\n',
  centos: 'NAME="CentOS Stream"\nVERSION="9"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="9"\nPRETTY_NAME="CentOS Stream 9"\n',
}

describe('steps/detect-system', () => {
  it('reads /etc/os-release and the container check, read-only', () => {
    expect(detectSystem.readOnly).to.equal(true)
    expect(detectSystem.commands(setupContext()).map((c) => c.script)).to.deep.equal(['cat /etc/os-release', 'systemd-detect-virt --container || true'])
  })

  it('parseOsRelease unquotes values and ignores other lines', () => {
    expect(parseOsRelease(OS_RELEASE.debian12)).to.deep.include({ID: 'debian', VERSION_ID: '12', PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)', VERSION_CODENAME: 'bookworm'})
    expect(parseOsRelease(OS_RELEASE.centos)).to.deep.include({ID: 'centos', ID_LIKE: 'rhel fedora'})
    expect(parseOsRelease('# comment\n\n  ID=debian  \ngarbage\nlower=case\n')).to.deep.equal({ID: 'debian'})
  })

  it('parses the os-release of this machine', function () {
    if (!existsSync('/etc/os-release')) this.skip() // not every test machine has one
    const fields = parseOsRelease(readFileSync('/etc/os-release', 'utf8'))
    expect(fields.ID).to.match(/^[a-z0-9._-]+$/)
  })

  const refusal = (id: string, versionId: string, prettyName: string): GatlingError => {
    try {
      assertSupported(id, versionId, prettyName, 'web1')
    } catch (error) {
      return error as GatlingError
    }
    throw new Error(`${prettyName} was accepted`)
  }

  it('refuses Debian 11 and Ubuntu 20.04, naming their too-old Elixir', () => {
    const debian = refusal('debian', '11', 'Debian GNU/Linux 11 (bullseye)')
    expect(debian).to.be.instanceOf(GatlingError)
    expect(debian.message).to.match(/^web1 runs Debian GNU\/Linux 11 \(bullseye\), whose packaged Elixir \(1\.10\) is too old for gatling/)
    expect(debian.message).to.contain('gatling supports Debian 12 (bookworm) and 13 (trixie), and Ubuntu 22.04 and newer')
    expect(debian.message).to.contain('Nothing was changed.')
    expect(refusal('ubuntu', '20.04', 'Ubuntu 20.04.6 LTS').message).to.match(/Ubuntu 20\.04\.6 LTS, whose packaged Elixir \(1\.9\) is too old/)
    expect(refusal('debian', '10', 'Debian 10').message).to.contain('(1.7)')
    expect(refusal('ubuntu', '21.10', 'Ubuntu 21.10').message).to.match(/whose packaged Elixir is too old/)
  })

  it('without a pin, names what to pin for Debian 11 and Ubuntu 16.04–20.04; with one, accepts them', () => {
    expect(refusal('debian', '11', 'Debian GNU/Linux 11 (bullseye)').message).to.contain('pin Erlang/OTP and Elixir in the project\'s .tool-versions (for example "erlang 25.2.3" and "elixir 1.18.3-otp-25") and run setup from the project')
    expect(refusal('debian', '10', 'Debian 10').message).to.not.contain('.tool-versions')
    for (const [id, version] of [['debian', '11'], ['debian', '12'], ['ubuntu', '16.04'], ['ubuntu', '20.04'], ['ubuntu', '24.04']]) {
      expect(() => assertSupported(id, version, `${id} ${version}`, 'web1', true), `${id} ${version}`).to.not.throw()
    }
    let error: Error | undefined
    try {
      assertSupported('debian', '10', 'Debian 10', 'web1', true)
    } catch (e) {
      error = e as Error
    }
    expect(error?.message).to.equal('web1 runs Debian 10, too old for a pinned toolchain (gatling cannot build Erlang/OTP there): with a pinned toolchain gatling supports Debian 11 (bullseye) to 13 (trixie), and Ubuntu 16.04 and newer. Upgrade the server\'s distribution or start from a newer image. Nothing was changed.')
  })

  it("without a pin, refuses a release whose packaged Elixir does not satisfy mix.exs (setup from the project), naming what to pin", () => {
    const ctx = setupContext({elixirRequirement: '~> 1.17'})
    expect(() => detectSystem.after!(ctx, [result(OS_RELEASE.debian12), result('container-other')])).to.throw(
      GatlingError, '203.0.113.10 runs Debian GNU/Linux 12 (bookworm), whose packaged Elixir 1.14.0 does not satisfy mix.exs\'s elixir: "~> 1.17": pin Erlang/OTP and Elixir')
    detectSystem.after!(ctx, [result(OS_RELEASE.debian13), result('none')])
    detectSystem.after!(setupContext({elixirRequirement: '~> 1.14'}), [result(OS_RELEASE.debian12), result('none')])
    const toolchain = {otp: '25.2.3', otpMajor: 25, elixir: '1.18.3', pinnedIn: '.tool-versions', mirror: 'https://builds.hex.pm', otpSource: 'https://x'}
    detectSystem.after!(setupContext({elixirRequirement: '~> 1.17', toolchain}), [result(OS_RELEASE.debian12), result('none')])
  })

  it('refuses other distributions and rolling releases', () => {
    const centos = refusal('centos', '9', 'CentOS Stream 9')
    expect(centos.message).to.equal('web1 runs CentOS Stream 9, which gatling cannot provision: gatling supports Debian 12 (bookworm) and 13 (trixie), and Ubuntu 22.04 and newer (Debian 11 and Ubuntu 16.04–20.04 with a pinned toolchain). Nothing was changed.')
    expect(refusal('alpine', '3.19', '').message).to.match(/^web1 runs alpine, which gatling cannot provision/)
    expect(refusal('debian', '', 'Debian GNU/Linux trixie/sid').message).to.match(/a rolling release \(no version number\)/)
  })

  it('accepts Debian 12 and 13, Ubuntu 22.04 and newer', () => {
    for (const [id, version] of [['debian', '12'], ['debian', '13'], ['ubuntu', '22.04'], ['ubuntu', '24.04'], ['ubuntu', '24.10']]) {
      expect(() => assertSupported(id, version, `${id} ${version}`, 'web1'), `${id} ${version}`).to.not.throw()
    }
  })

  it('after() records the OS and whether it is a container, or refuses an old one', () => {
    const cases: Array<[string, string, boolean]> = [[OS_RELEASE.debian12, 'none\n', false], [OS_RELEASE.debian13, '', false], [OS_RELEASE.ubuntu2204, 'lxc\n', true], [OS_RELEASE.ubuntu2404, 'docker\n', true]]
    for (const [osRelease, virt, container] of cases) {
      const ctx = setupContext()
      detectSystem.after!(ctx, [result(osRelease), result(virt)])
      expect(ctx.os?.container, osRelease).to.equal(container)
    }
    const ctx = setupContext()
    detectSystem.after!(ctx, [result(OS_RELEASE.debian12), result('none\n')])
    expect(ctx.os).to.deep.equal({id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', container: false})
    for (const old of [OS_RELEASE.debian11, OS_RELEASE.ubuntu2004, OS_RELEASE.centos]) {
      const refused = setupContext()
      expect(() => detectSystem.after!(refused, [result(old), result('none')])).to.throw(GatlingError, /Nothing was changed\./)
      expect(refused.os).to.equal(undefined)
    }
  })
})
