import {expect} from 'chai'

import {render} from '../../../../src/templates.js'

describe('templates/server/nginx-default', () => {
  const site = render('server/nginx-default.ejs')

  it('answers every host name no app claims, with a status page and a 404 otherwise', () => {
    expect(site).to.contain('listen 80 default_server;').and.contain('listen [::]:80 default_server;').and.contain('server_name _;')
    expect(site).to.contain('location = /gatling-status').and.contain('return 200 "gatling ready\\n";')
    expect(site).to.contain('return 404')
  })

  it('balances its braces', () => {
    expect(site.split('{').length).to.equal(site.split('}').length)
  })
})
