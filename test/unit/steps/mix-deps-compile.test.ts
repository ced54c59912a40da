import {expect} from 'chai'

import {mixDepsCompile} from '../../../src/steps/mix-deps-compile.js'
import {deployContext, onlyCommand} from '../support.js'

describe('steps/mix-deps-compile', () => {
  it('runs mix deps.compile in the build directory with MIX_ENV=prod', () => {
    expect(mixDepsCompile.title).to.equal('mix deps.compile')
    expect(onlyCommand(mixDepsCompile, deployContext())).to.deep.equal({script: 'cd /srv/gatling/hello/build && env MIX_ENV=prod LANG=C.UTF-8 MIX_REBAR3=/usr/bin/rebar3 mix deps.compile'})
  })
})
