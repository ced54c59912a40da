import {expect} from 'chai'

import {render} from '../../../../src/templates.js'

describe('templates/server/authorized_keys', () => {
  it('lists one key per line, after a comment', () => {
    const keys = ['ssh-ed25519 AAAAC3Nza alice@laptop', 'ssh-rsa AAAAB3Nza bob@desk']
    const text = render('server/authorized_keys.ejs', {keys})
    expect(text.split('\n')[0]).to.match(/^# /)
    expect(text.split('\n').filter((l) => l && !l.startsWith('#'))).to.deep.equal(keys)
  })
})
