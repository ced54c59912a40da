import {expect} from 'chai'

import {setupPipeline} from '../../../src/pipelines/setup.js'
import {scriptsOf, setupContext, shSyntaxCheck} from '../support.js'

describe('pipelines/setup', () => {
  it('runs the steps in the documented order', () => {
    expect(setupPipeline.map((s) => s.title)).to.deep.equal([
      'Detect the operating system',
      'Install nginx, git, Erlang, Elixir and build tools',
      'Create a 1 GB swap file',
      'Create the deploy user',
      'Authorize your SSH key for the deploy user',
      'Install Hex for the deploy user',
      'Install gatling-root and its sudo rule',
      'Bind epmd to loopback',
      "Replace nginx's default site",
      'Install certbot and its renewal timer',
      'Install PostgreSQL (localhost only)',
      "Trust the ACME server's CA",
      'Firewall: allow only SSH, HTTP and HTTPS',
    ])
  })

  it('produces only shell text that `sh -n` accepts', function () {
    this.timeout(20_000)
    const ctx = setupContext({os: {id: 'debian', versionId: '12', prettyName: 'Debian 12', container: false}})
    for (const step of setupPipeline) {
      for (const script of scriptsOf(step, ctx)) {
        const check = shSyntaxCheck(script)
        expect(check.status, `${step.title}: ${script}\n${check.stderr}`).to.equal(0)
      }
    }
  })

  it('changes the server only as root, and only reads it before it knows the system', () => {
    const ctx = setupContext()
    expect(setupPipeline[0].readOnly).to.equal(true)
    for (const step of setupPipeline.slice(1)) for (const command of step.commands(ctx)) expect(command.sudo, `${step.title}: ${command.script}`).to.equal(true)
  })
})
