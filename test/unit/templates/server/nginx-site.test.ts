import {expect} from 'chai'

import {NGINX_UPSTREAMS} from '../../../../src/server/layout.js'
import {render} from '../../../../src/templates.js'

describe('templates/server/nginx-site', () => {
  const site = render('server/nginx-site.ejs', {app: 'hello', domains: 'example.com www.example.com', listen: 80, upstream: '/etc/nginx/gatling/hello.upstream'})

  it("proxies to the app's upstream file with websocket upgrade headers", () => {
    expect(site).to.contain(`upstream hello {\n    include ${NGINX_UPSTREAMS}/hello.upstream;\n}`)
    expect(site).to.contain('listen 80;').and.contain('listen [::]:80;')
    expect(site).to.contain('server_name example.com www.example.com;')
    expect(site).to.contain('proxy_pass http://hello;')
    expect(site).to.contain('proxy_http_version 1.1;')
    expect(site).to.contain('proxy_set_header Upgrade $http_upgrade;')
    expect(site).to.contain('proxy_set_header Connection $connection_upgrade;')
    expect(site).to.contain('proxy_set_header Host $host;')
  })

  it('retries a refused connection on the backup line, as a switch needs', () => {
    expect(site).to.contain('proxy_next_upstream error timeout;').and.contain('proxy_next_upstream_tries 2;')
  })

  it('balances its braces, and takes the placeholders gatling-root fills', () => {
    expect(site.split('{').length).to.equal(site.split('}').length)
    const template = render('server/nginx-site.ejs', {app: '@@APP@@', domains: '@@DOMAINS@@', listen: '@@LISTEN@@', upstream: '/etc/nginx/gatling/@@APP@@.upstream'})
    expect(template).to.contain('server_name @@DOMAINS@@;').and.contain('listen [::]:@@LISTEN@@;').and.contain('proxy_pass http://@@APP@@;')
  })
})
