import {expect} from 'chai'

import {SHARED_DIRS} from '../../../src/server/layout.js'
import {createDeployUser} from '../../../src/steps/create-deploy-user.js'
import {setupContext} from '../support.js'

describe('steps/create-deploy-user', () => {
  it('creates the user only if missing, then the root-owned shared roots and its .ssh', () => {
    const [user, dirs] = createDeployUser.commands(setupContext({deployUser: 'deployer'}))
    expect(user).to.deep.equal({script: 'id -u deployer >/dev/null 2>&1 || useradd --create-home --shell /bin/bash --user-group deployer', sudo: true})
    expect(dirs.sudo).to.equal(true)
    expect(dirs.script).to.equal(
      'install -d -m 0755 -o root -g root /srv/gatling && install -d -m 0755 -o root -g root /etc/gatling && install -d -m 0755 -o root -g root /var/lib/gatling && ' +
        'install -d -m 0755 -o root -g root /etc/nginx/gatling && install -d -m 0755 -o root -g root /usr/local/share/gatling && ' +
        'install -d -m 0700 -o deployer -g deployer /home/deployer/.ssh',
    )
  })

  it('never gives the deploy user a shared root', () => {
    const dirs = createDeployUser.commands(setupContext({deployUser: 'deployer'}))[1].script
    for (const d of SHARED_DIRS) expect(dirs).to.contain(`-o root -g root ${d.path}`)
  })

  it('is unchanged when the user, its .ssh and every shared root with its mode and owner exist', () => {
    const [check] = [createDeployUser.check!(setupContext({deployUser: 'deployer'}))].flat()
    expect(check.sudo).to.equal(true)
    expect(check.script).to.match(/^id -u deployer && test -d \/home\/deployer\/\.ssh && /)
    for (const d of SHARED_DIRS) expect(check.script).to.contain(`test "$(stat -c %a:%U:%G ${d.path} 2>/dev/null)" = 755:root:root`)
  })
})
