import {expect} from 'chai'

import {createSwap} from '../../../src/steps/create-swap.js'
import {setupContext} from '../support.js'

describe('steps/create-swap', () => {
  it('is skipped in a container only', () => {
    expect(createSwap.skip!(setupContext({os: {id: 'debian', versionId: '12', prettyName: '', container: true}}))).to.match(/container/)
    expect(createSwap.skip!(setupContext({os: {id: 'debian', versionId: '12', prettyName: '', container: false}}))).to.equal(false)
  })

  it('creates, enables and records a 1 GB swap file, unless there is swap already', () => {
    const [command] = createSwap.commands(setupContext())
    expect(command.sudo).to.equal(true)
    expect(command.script).to.match(/^fallocate -l 1G \/swapfile && chmod 600 \/swapfile && mkswap \/swapfile && swapon \/swapfile && /)
    expect(command.script).to.contain(`grep -q '^/swapfile ' /etc/fstab || echo '/swapfile none swap sw 0 0' >> /etc/fstab`)
    expect([createSwap.check!(setupContext())].flat()[0]).to.deep.equal({script: 'test -n "$(swapon --show --noheadings)"', sudo: true})
  })
})
