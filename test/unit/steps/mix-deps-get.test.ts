import {expect} from 'chai'

import {mixDepsGet} from '../../../src/steps/mix-deps-get.js'
import {deployContext, onlyCommand} from '../support.js'

describe('steps/mix-deps-get', () => {
  it('runs gatling-deploy deps-get in the build directory, in the build environment (Hex first when needed, see server/gatling-deploy)', () => {
    expect(mixDepsGet.title).to.equal('mix deps.get')
    expect(onlyCommand(mixDepsGet, deployContext())).to.deep.equal({script: 'cd /srv/gatling/hello/build && env MIX_ENV=prod LANG=C.UTF-8 MIX_REBAR3=/usr/bin/rebar3 /srv/gatling/hello/tools/gatling-deploy deps-get'})
  })

  it("passes gatling.json's build.env, quoted", () => {
    const ctx = deployContext({buildEnv: {HEX_MIRROR: 'http://127.0.0.1:9/', HEX_BUILDS_URL: "https://it's.example"}})
    expect(onlyCommand(mixDepsGet, ctx).script).to.equal(
      "cd /srv/gatling/hello/build && env HEX_MIRROR=http://127.0.0.1:9/ 'HEX_BUILDS_URL=https://it'\\''s.example' MIX_ENV=prod LANG=C.UTF-8 MIX_REBAR3=/usr/bin/rebar3 /srv/gatling/hello/tools/gatling-deploy deps-get",
    )
  })
})
