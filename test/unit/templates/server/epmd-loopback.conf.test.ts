import {expect} from 'chai'

import {render} from '../../../../src/templates.js'

describe('templates/server/epmd-loopback.conf', () => {
  it('listens on loopback only, resetting the distribution default first', () => {
    expect(render('server/epmd-loopback.conf.ejs')).to.match(/\[Socket\]\nListenStream=\nListenStream=127\.0\.0\.1:4369\n/)
  })
})
