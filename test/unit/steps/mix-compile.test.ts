import {expect} from 'chai'

import {mixCompile} from '../../../src/steps/mix-compile.js'
import {deployContext, onlyCommand} from '../support.js'

describe('steps/mix-compile', () => {
  it('runs mix compile in the build directory with MIX_ENV=prod', () => {
    expect(mixCompile.title).to.equal('mix compile')
    expect(onlyCommand(mixCompile, deployContext())).to.deep.equal({script: 'cd /srv/gatling/hello/build && env MIX_ENV=prod LANG=C.UTF-8 MIX_REBAR3=/usr/bin/rebar3 mix compile'})
  })
})
