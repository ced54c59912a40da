import {expect} from 'chai'

import {render} from '../../../../src/templates.js'

describe('templates/server/app.env', () => {
  it('writes one KEY="value" line per entry, under a comment naming the source', () => {
    const text = render('server/app.env.ejs', {app: 'hello', source: '/home/me/.env.production', entries: [['A', '1'], ['B', 'two words']], kept: []})
    expect(text).to.equal(`# hello's environment, from /home/me/.env.production (written by gatling push; mode 0600, owner hello).\nA="1"\nB="two words"\n`)
  })
})
