import {expect} from 'chai'

import {configureNginx} from '../../../src/steps/configure-nginx.js'
import {render} from '../../../src/templates.js'
import {setupContext} from '../support.js'

describe('steps/configure-nginx', () => {
  it("installs gatling's http settings and default site, the upstreams directory, then checks and reloads nginx", () => {
    const [dir, main, http, site, activate] = configureNginx.commands(setupContext())
    expect(dir).to.deep.equal({script: 'install -d -m 0755 /etc/nginx/gatling', sudo: true})
    // main context: old workers live at most NGINX_DRAIN_SECONDS after a reload, websockets or not
    expect(main.script).to.match(/\/etc\/nginx\/modules-enabled\/90-gatling\.conf$/)
    expect(main.input).to.match(/^worker_shutdown_timeout 5s;$/m)
    expect(http.script).to.match(/\/etc\/nginx\/conf\.d\/gatling\.conf$/)
    expect(http.input).to.equal(render('server/nginx-http.ejs'))
    expect(site.script).to.match(/\/etc\/nginx\/sites-available\/gatling-default$/)
    expect(site.input).to.equal(render('server/nginx-default.ejs'))
    expect(activate.sudo).to.equal(true)
    const script = activate.script
    expect(script).to.contain('rm -f /etc/nginx/sites-enabled/default')
    // the default site is enabled unless an app (without a domain) already takes default_server
    expect(script).to.contain('grep -l default_server | grep -qv gatling-default || ln -sfn /etc/nginx/sites-available/gatling-default /etc/nginx/sites-enabled/gatling-default')
    expect(script.indexOf('nginx -t -q')).to.be.lessThan(script.indexOf('systemctl reload nginx'))
  })

  it("is unchanged once the files are there, the distribution's default site is gone and the upstreams directory exists", () => {
    const checks = [configureNginx.check!(setupContext())].flat()
    expect(checks).to.have.length(4)
    expect(checks[3].script).to.equal("test '!' -e /etc/nginx/sites-enabled/default && test -d /etc/nginx/gatling")
  })
})
