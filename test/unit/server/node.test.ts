import {expect} from 'chai'

import {COOKIE_PLACEHOLDER, cookieInHome, nodeEnvironment, sandbox, writablePaths} from '../../../src/server/node.js'

describe('server/node', () => {
  const env = Object.fromEntries(nodeEnvironment('hello', '4000'))

  it('names the node by app and port, on loopback, with its home and tmp in its home', () => {
    expect(env).to.deep.include({PORT: '4000', HOME: '/var/lib/gatling/hello', RELEASE_NODE: 'hello_4000@127.0.0.1', RELEASE_DISTRIBUTION: 'name', RELEASE_TMP: '/var/lib/gatling/hello/tmp', LANG: 'C.UTF-8'})
    expect(env.ERL_CRASH_DUMP).to.equal('/var/lib/gatling/hello/erl_crash-4000.dump')
  })

  it('keeps distribution on loopback and epmd its own', () => {
    expect(env.ELIXIR_ERL_OPTIONS).to.contain('-kernel inet_dist_use_interface {127,0,0,1}').and.contain('-start_epmd false')
  })

  it('never puts the real cookie on a command line: a public placeholder twice, so Erlang reads $HOME/.erlang.cookie', () => {
    expect(COOKIE_PLACEHOLDER).to.equal('gatling-reads-the-cookie-file')
    expect(env.RELEASE_COOKIE).to.equal(COOKIE_PLACEHOLDER)
    expect(env.ELIXIR_ERL_OPTIONS).to.contain(`-setcookie ${COOKIE_PLACEHOLDER}`)
    expect(cookieInHome('hello')).to.equal(`${env.HOME}/.erlang.cookie`)
  })

  it('takes placeholders for the unit (%i) and for gatling-root (${APP})', () => {
    expect(Object.fromEntries(nodeEnvironment('@@APP@@', '%i')).RELEASE_NODE).to.equal('@@APP@@_%i@127.0.0.1')
  })

  it('writes only its slot (when it runs one) and its home', () => {
    expect(writablePaths('hello', '4001')).to.deep.equal(['/srv/gatling/hello/slots/4001', '/var/lib/gatling/hello'])
    expect(writablePaths('hello')).to.deep.equal(['/var/lib/gatling/hello'])
  })

  it('runs sandboxed: no new privileges, a read-only system, other processes invisible, files closed to others', () => {
    const properties = Object.fromEntries(sandbox('hello', '4001'))
    // at least these (the list may grow; src/server/node.ts is the place to review it)
    expect(properties).to.deep.include({
      NoNewPrivileges: 'yes',
      ProtectSystem: 'strict',
      ReadWritePaths: '/srv/gatling/hello/slots/4001 /var/lib/gatling/hello',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      PrivateDevices: 'yes',
      ProtectKernelTunables: 'yes',
      ProtectKernelModules: 'yes',
      ProtectKernelLogs: 'yes',
      ProtectControlGroups: 'yes',
      ProtectProc: 'invisible',
      RestrictSUIDSGID: 'yes',
      LockPersonality: 'yes',
      RestrictRealtime: 'yes',
      UMask: '0027',
    })
    expect(sandbox('hello', '4001').filter(([key]) => key === 'ReadWritePaths'), 'one list of writable paths').to.have.length(1)
    expect(Object.fromEntries(sandbox('hello')).ReadWritePaths).to.equal('/var/lib/gatling/hello')
  })
})
