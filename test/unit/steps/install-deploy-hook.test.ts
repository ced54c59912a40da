import {expect} from 'chai'

import {DEPLOY_USER, HELPER} from '../../../src/server/layout.js'
import {STATE_KEYS} from '../../../src/server/state.js'
import {ELIXIR_TOOLS, deployFiles, installDeployHook, renderDeployTool} from '../../../src/steps/install-deploy-hook.js'
import {readTemplate, render} from '../../../src/templates.js'
import {deployContext} from '../support.js'

// The tool's behaviour: test/unit/server/gatling-deploy.test.ts; the hook's: test/unit/templates/server/pre-receive.test.ts.
describe('steps/install-deploy-hook', () => {
  const ctx = deployContext()
  const files = deployFiles(ctx, '#!/bin/sh\necho deploy\n')
  const byPath = (path: string) => files.find((f) => f.path === path)!

  it("writes the deploy script, the deploy tool, the hook and the Elixir tools, as the deploy user's own files", () => {
    expect(files.map((f) => f.path)).to.deep.equal([
      '/srv/gatling/hello/tools/deploy',
      '/srv/gatling/hello/tools/gatling-deploy',
      '/srv/gatling/hello/repo.git/hooks/pre-receive',
      ...ELIXIR_TOOLS.map((name) => `/srv/gatling/hello/tools/${name}`),
    ])
    for (const file of files) expect(file, file.path).to.deep.include({owner: DEPLOY_USER, sudo: false})
    for (const file of files.slice(0, 3)) expect(file.mode, file.path).to.equal('0755')
    for (const file of files.slice(3)) expect(file.mode, file.path).to.equal('0644')
  })

  it('the deploy script is the one given, the hook runs it, the Elixir tools are shipped as they are', () => {
    expect(byPath('/srv/gatling/hello/tools/deploy').content).to.equal('#!/bin/sh\necho deploy\n')
    expect(byPath('/srv/gatling/hello/repo.git/hooks/pre-receive').content).to.equal(render('server/pre-receive.ejs', {app: 'hello', deployScript: '/srv/gatling/hello/tools/deploy'}))
    for (const name of ELIXIR_TOOLS) expect(byPath(`/srv/gatling/hello/tools/${name}`).content).to.equal(readTemplate(`elixir/${name}`))
  })

  it('renders the deploy tool from the app, its paths, the state files and gatling-root', () => {
    const tool = renderDeployTool(ctx)
    expect(byPath('/srv/gatling/hello/tools/gatling-deploy').content).to.equal(tool)
    expect(tool).to.contain('\nAPP=hello\n').and.contain('\nSTATE=/srv/gatling/hello/state\n').and.contain('\nRELEASES=/srv/gatling/hello/releases\n')
    for (const file of Object.values(STATE_KEYS)) expect(tool).to.contain(`\nS_${file.toUpperCase()}=$STATE/${file}\n`)
    expect(tool).to.contain(`sudo -n ${HELPER} "$sub" "$APP" "$@"`)
    expect(tool).to.not.match(/<%|%>|\bundefined\b/)
  })

  it('writes each file without sudo and is unchanged when every file matches', () => {
    const step = installDeployHook('#!/bin/sh\n')
    const commands = step.commands(ctx)
    const checks = [step.check!(ctx)].flat()
    expect(commands).to.have.length(3 + ELIXIR_TOOLS.length)
    expect(checks).to.have.length(commands.length)
    for (const command of [...commands, ...checks]) expect(command.sudo, command.script).to.equal(false)
    expect(commands[1].script).to.equal('install -m 0755 -o gatling -g gatling /dev/stdin /srv/gatling/hello/tools/gatling-deploy.gatling-new && mv -f /srv/gatling/hello/tools/gatling-deploy.gatling-new /srv/gatling/hello/tools/gatling-deploy')
  })
})
