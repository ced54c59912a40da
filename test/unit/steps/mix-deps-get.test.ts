import {expect} from 'chai'

import {mixDepsGet} from '../../../src/steps/mix-deps-get.js'
import {deployContext, onlyCommand} from '../support.js'

describe('steps/mix-deps-get', () => {
  it('runs mix deps.get in the build directory with MIX_ENV=prod', () => {
    expect(mixDepsGet.title).to.equal('mix deps.get')
    expect(onlyCommand(mixDepsGet, deployContext())).to.deep.equal({script: 'cd /srv/gatling/hello/build && env MIX_ENV=prod LANG=C.UTF-8 MIX_REBAR3=/usr/bin/rebar3 mix deps.get --only prod'})
  })
})
