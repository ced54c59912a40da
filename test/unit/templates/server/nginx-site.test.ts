import {expect} from 'chai'

import {ACME_WEBROOT, NGINX_UPSTREAMS} from '../../../../src/server/layout.js'
import {renderSiteTemplate} from '../../../../src/server/scripts.js'

// gatling-root fills the placeholders and drops the marked parts: test/unit/server/gatling-root.test.ts (site).
describe('templates/server/nginx-site', () => {
  const site = renderSiteTemplate()
  const part = (name: string) => site.slice(site.indexOf(`\n# ${name} {\n`), site.indexOf(`\n# } ${name}\n`))

  it("proxies to the app's upstream file with websocket upgrade headers, in both the HTTP and the HTTPS server", () => {
    expect(site).to.contain(`upstream @@APP@@ {\n    include ${NGINX_UPSTREAMS}/@@APP@@.upstream;\n}`)
    for (const name of ['plain http', 'https']) {
      const text = part(name)
      expect(text, name).to.contain('proxy_pass http://@@APP@@;').and.contain('proxy_http_version 1.1;')
      expect(text, name).to.contain('proxy_set_header Upgrade $http_upgrade;').and.contain('proxy_set_header Connection $connection_upgrade;')
      expect(text, name).to.contain('proxy_set_header Host $host;').and.contain('proxy_set_header X-Forwarded-Proto $scheme;')
      expect(text, name).to.contain('proxy_next_upstream error timeout;').and.contain('proxy_next_upstream_tries 2;')
    }
  })

  it('answers the ACME challenge from the webroot on port 80 in both parts, and redirects the rest of HTTP to the same path over HTTPS', () => {
    const challenge = `location ^~ /.well-known/acme-challenge/ {\n        root ${ACME_WEBROOT};`
    expect(part('plain http')).to.contain('listen @@LISTEN@@;').and.contain('server_name @@DOMAINS@@;').and.contain(challenge)
    const https = part('https')
    expect(https).to.contain('listen 80;').and.contain(challenge).and.contain('return 301 https://$host$request_uri;')
    expect(https).to.contain('listen 443 ssl@@H2@@;').and.contain('listen [::]:443 ssl@@H2@@;').and.contain('    http2 on; # h2\n')
    expect(https.match(/server_name @@TLSDOMAINS@@;/g)).to.have.length(2)
  })

  it('has modern TLS settings, and HSTS on a line gatling-root drops unless asked', () => {
    const https = part('https')
    expect(https).to.contain('ssl_certificate @@CERT@@;').and.contain('ssl_certificate_key @@KEY@@;')
    expect(https).to.contain('ssl_protocols TLSv1.2 TLSv1.3;').and.contain('ssl_prefer_server_ciphers off;')
    expect(https).to.match(/ssl_ciphers (ECDHE-(ECDSA|RSA)-(AES128-GCM-SHA256|AES256-GCM-SHA384|CHACHA20-POLY1305):?)+;/)
    expect(https).to.contain('add_header Strict-Transport-Security "max-age=63072000" always; # hsts\n')
  })

  it('balances its braces', () => {
    expect(site.split('{').length).to.equal(site.split('}').length)
    expect(site).to.not.match(/<%|%>|undefined/)
  })
})
