import {expect} from 'chai'

import {checkPin} from '../../../src/config/toolchain.js'
import {installToolchain} from '../../../src/steps/install-toolchain.js'
import {deployContext, scriptsOf} from '../support.js'

describe('steps/install-toolchain', () => {
  const toolchain = checkPin({erlang: '25.2.3', elixir: '1.18.3-otp-25'}, '.tool-versions', '~> 1.17', {mirror: 'http://10.231.4.1:8088'})

  it('says which versions were chosen and why, then has gatling-root install them from the mirror', () => {
    expect(scriptsOf(installToolchain, deployContext({toolchain}))).to.deep.equal([
      "echo 'chosen: Erlang/OTP 25.2.3 and Elixir 1.18.3-otp-25 (pinned in .tool-versions), from http://10.231.4.1:8088'",
      'sudo -n /usr/local/sbin/gatling-root toolchain hello 25.2.3 1.18.3 http://10.231.4.1:8088 https://github.com/erlang/otp/releases/download',
    ])
    expect(installToolchain.reportsOutcome).to.equal(true)
  })

  it("is skipped without a pin: the distribution's Erlang and Elixir build", () => {
    expect(installToolchain.skip!(deployContext())).to.match(/^no pinned toolchain \(\.tool-versions, mise\.toml or elixir_buildpack\.config\)/)
    expect(installToolchain.skip!(deployContext({toolchain}))).to.equal(false)
  })
})
