import {expect} from 'chai'

import {render} from '../../../../src/templates.js'

describe('templates/server/nginx-http', () => {
  it('defines the $connection_upgrade the sites use', () => {
    const http = render('server/nginx-http.ejs')
    expect(http).to.match(/map \$http_upgrade \$connection_upgrade \{\s+default upgrade;\s+''\s+close;\s+\}/)
    expect(http.split('{').length).to.equal(http.split('}').length)
  })
})
