import {expect} from 'chai'

import {sh} from '../../../src/remote/shell.js'
import {NODE_PACKAGES, PACKAGES, installPackages} from '../../../src/steps/install-packages.js'
import {setupContext} from '../support.js'

describe('steps/install-packages', () => {
  it('apt-get update, then install of the whole package list, non-interactive, as root', () => {
    const commands = installPackages.commands(setupContext())
    expect(commands).to.have.length(2)
    const [update, install] = commands
    expect(update.sudo).to.equal(true)
    expect(install.sudo).to.equal(true)
    expect(update.script).to.equal('export DEBIAN_FRONTEND=noninteractive && apt-get -q -o Dpkg::Use-Pty=0 update')
    expect(install.script).to.equal(`export DEBIAN_FRONTEND=noninteractive && apt-get -q -o Dpkg::Use-Pty=0 install -y --no-install-recommends ${PACKAGES.join(' ')}`)
  })

  it('installs what the server scripts need', () => {
    for (const pkg of ['nginx', 'git', 'curl', 'elixir', 'erlang-dev', 'nftables', 'sudo', 'build-essential']) expect(PACKAGES).to.include(pkg)
  })

  it('adds Node.js and npm only for a project with assets/package.json (setup run from it)', () => {
    expect(PACKAGES).to.not.include('nodejs').and.not.include('npm')
    const install = (needsNode: boolean) => installPackages.commands(setupContext({needsNode}))[1].script
    expect(install(false)).to.match(new RegExp(`${PACKAGES.at(-1)}$`))
    expect(install(true)).to.match(/ erlang-src nodejs npm$/)
    expect([installPackages.check!(setupContext({needsNode: true}))].flat()[0].script).to.contain(sh('dpkg-query', '-W', ...PACKAGES, ...NODE_PACKAGES))
  })

  it('leaves rebar3 out where the distribution has no package of it (Debian 11, Ubuntu before 22.04: with a pinned toolchain)', () => {
    const install = (id: string, versionId: string) => installPackages.commands(setupContext({os: {id, versionId, prettyName: id, container: true}}))[1].script
    expect(install('debian', '11')).to.not.include('rebar3')
    expect(install('ubuntu', '20.04')).to.not.include('rebar3')
    expect(install('debian', '12')).to.include(' rebar3 ')
    expect(install('ubuntu', '22.04')).to.include(' rebar3 ')
  })

  it('is unchanged when dpkg knows every package as installed', () => {
    const [check] = [installPackages.check!(setupContext())].flat()
    expect(check.script).to.contain(sh('dpkg-query', '-W', ...PACKAGES))
    expect(check.script).to.match(/^! dpkg-query -W -f '\$\{db:Status-Status\}\\n' /)
  })
})
