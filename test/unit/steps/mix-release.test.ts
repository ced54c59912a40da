import {expect} from 'chai'

import {mixRelease} from '../../../src/steps/mix-release.js'
import {deployContext, onlyCommand} from '../support.js'

describe('steps/mix-release', () => {
  it('runs mix release in the build directory with MIX_ENV=prod', () => {
    expect(mixRelease.title).to.equal('mix release')
    expect(onlyCommand(mixRelease, deployContext())).to.deep.equal({script: 'cd /srv/gatling/hello/build && env MIX_ENV=prod LANG=C.UTF-8 MIX_REBAR3=/usr/bin/rebar3 mix release --overwrite --quiet'})
  })
})
