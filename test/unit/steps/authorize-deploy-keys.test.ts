import {expect} from 'chai'

import {authorizeDeployKeys} from '../../../src/steps/authorize-deploy-keys.js'
import {ED25519, setupContext} from '../support.js'

describe('steps/authorize-deploy-keys', () => {
  it('writes authorized_keys 0600, owned by the deploy user, with every key', () => {
    const keys = [ED25519, 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 bob@desk']
    const [write] = authorizeDeployKeys.commands(setupContext({authorizedKeys: keys}))
    expect(write.script).to.equal('install -m 0600 -o gatling -g gatling /dev/stdin /home/gatling/.ssh/authorized_keys.gatling-new && mv -f /home/gatling/.ssh/authorized_keys.gatling-new /home/gatling/.ssh/authorized_keys')
    expect(write.sudo).to.equal(true)
    const lines = write.input!.split('\n').filter((l) => l && !l.startsWith('#'))
    expect(lines).to.deep.equal(keys)
  })

  it('is unchanged when the file already has exactly that content', () => {
    const ctx = setupContext()
    const [check] = [authorizeDeployKeys.check!(ctx)].flat()
    expect(check.input).to.equal(authorizeDeployKeys.commands(ctx)[0].input)
    expect(check.script).to.match(/^cmp -s - \/home\/gatling\/\.ssh\/authorized_keys && /)
  })

  it("follows the deploy user's name", () => {
    const [write] = authorizeDeployKeys.commands(setupContext({deployUser: 'deployer'}))
    expect(write.script).to.contain('-o deployer -g deployer /dev/stdin /home/deployer/.ssh/authorized_keys.gatling-new')
  })
})
