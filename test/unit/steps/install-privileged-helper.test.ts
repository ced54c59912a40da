import {expect} from 'chai'

import {HELPER, SHARE_DIR} from '../../../src/server/layout.js'
import {renderGatlingRoot, renderSudoers, renderUnitTemplate} from '../../../src/server/scripts.js'
import {installPrivilegedHelper} from '../../../src/steps/install-privileged-helper.js'
import {setupContext} from '../support.js'

describe('steps/install-privileged-helper', () => {
  const commands = installPrivilegedHelper.commands(setupContext())
  const writing = (path: string) => commands.find((c) => c.script.includes(`${path}.gatling-new`))!

  it('checks the sudo rule with visudo before it goes live', () => {
    const last = commands.at(-1)!
    expect(last.script).to.equal('install -m 0440 /dev/stdin /etc/sudoers.d/.gatling-new && visudo -cqf /etc/sudoers.d/.gatling-new && mv -f /etc/sudoers.d/.gatling-new /etc/sudoers.d/gatling')
    expect(last.sudo).to.equal(true)
    expect(last.input).to.equal(renderSudoers('gatling'))
    expect(last.input).to.contain('gatling ALL=(root) NOPASSWD: /usr/local/sbin/gatling-root')
  })

  it('installs gatling-root 0755, root-owned, rendered for the deploy user', () => {
    expect(commands[0]).to.deep.equal({script: `install -d -m 0755 ${SHARE_DIR}`, sudo: true})
    const helper = writing(HELPER)
    expect(helper.script).to.match(/^install -m 0755 -o root -g root \/dev\/stdin \/usr\/local\/sbin\/gatling-root\.gatling-new && mv -f/)
    expect(helper.input).to.equal(renderGatlingRoot(undefined, 'gatling'))
    expect(helper.input).to.contain('\nDEPLOY_USER=gatling\n')
    expect(installPrivilegedHelper.commands(setupContext({deployUser: 'deployer'})).find((c) => c.script.includes(`${HELPER}.gatling-new`))!.input).to.contain('\nDEPLOY_USER=deployer\n')
  })

  it('ships the per-app templates with placeholders gatling-root fills in', () => {
    const unit = writing(`${SHARE_DIR}/app@.service`)
    expect(unit.input).to.equal(renderUnitTemplate())
    expect(unit.input).to.contain('User=@@APP@@').and.contain('ExecStart=/srv/gatling/@@APP@@/slots/%i/bin/@@APP@@ start')
    const site = writing(`${SHARE_DIR}/nginx-site`)
    expect(site.input).to.contain('upstream @@APP@@ {').and.contain('server_name @@DOMAINS@@;').and.contain('listen @@LISTEN@@;')
  })

  it('is unchanged when the helper, both templates and the sudo rule are in place', () => {
    const checks = [installPrivilegedHelper.check!(setupContext())].flat()
    expect(checks.map((c) => c.script.split(' && ')[0])).to.deep.equal([`cmp -s - ${HELPER}`, `cmp -s - ${SHARE_DIR}/app@.service`, `cmp -s - ${SHARE_DIR}/nginx-site`, 'cmp -s - /etc/sudoers.d/gatling'])
  })
})
