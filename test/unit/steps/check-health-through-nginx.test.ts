import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {checkHealthThroughNginx} from '../../../src/steps/check-health-through-nginx.js'
import {FakeServer, deployContext, onlyCommand} from '../support.js'

describe('steps/check-health-through-nginx', () => {
  it('runs gatling-deploy health-nginx with the health path and the host name nginx routes by', () => {
    expect(onlyCommand(checkHealthThroughNginx, deployContext()).script).to.equal('/srv/gatling/hello/tools/gatling-deploy health-nginx /health example.com')
    expect(onlyCommand(checkHealthThroughNginx, deployContext({domains: ['*.example.com']})).script).to.match(/ www\.example\.com$/)
    expect(onlyCommand(checkHealthThroughNginx, deployContext({domains: []})).script).to.match(/ 203\.0\.113\.10$/)
  })

  it('goes over HTTPS when the app has TLS', () => {
    const tls = {acme: {email: 'ops@example.com', directory: 'https://acme.example.com/dir'}, hsts: false}
    expect(onlyCommand(checkHealthThroughNginx, deployContext({tls})).script).to.equal('/srv/gatling/hello/tools/gatling-deploy health-nginx /health example.com https')
  })

  // Regression: the health path from gatling.json once went into double-quoted echo text, so
  // "$(...)" in "healthCheck" ran on the server. It is an argument of gatling-deploy now.
  describe('a hostile health path, run for real against a fake server', () => {
    let server: FakeServer
    before(() => {
      server = new FakeServer()
      server.initApp()
      server.installDeployTool()
    })
    after(() => server.cleanup())

    it('is never run as shell code', () => {
      const marker = join(server.root, 'pwned')
      server.writeState('curl-codes', '503\n') // nginx answers 503: the step prints the path
      const ctx = server.context({healthPath: `/up$(touch ${marker})"'\`touch ${marker}\``})
      const run = spawnSync('/bin/sh', ['-c', onlyCommand(checkHealthThroughNginx, ctx).script], {encoding: 'utf8', env: server.env})
      expect(run.status, 'the step fails: nginx did not answer 200').to.equal(1)
      expect(existsSync(marker), 'the health path was executed').to.equal(false)
      expect(run.stdout).to.contain(`GET ${ctx.healthPath} through nginx answered: 503`)
      expect(server.calls('curl').at(-1)).to.include(`http://127.0.0.1${ctx.healthPath}`)
    })
  })
})

