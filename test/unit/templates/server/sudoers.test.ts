import {expect} from 'chai'

import {HELPER} from '../../../../src/server/layout.js'
import {renderSudoers} from '../../../../src/server/scripts.js'

describe('templates/server/sudoers', () => {
  const lines = renderSudoers().split('\n').filter((l) => l && !l.startsWith('#'))

  it('lets the deploy user run only gatling-root, without a password', () => {
    expect(lines.filter((l) => !l.startsWith('Defaults'))).to.deep.equal([`gatling ALL=(root) NOPASSWD: ${HELPER}`])
    expect(renderSudoers('deployer')).to.contain(`\ndeployer ALL=(root) NOPASSWD: ${HELPER}\n`)
  })

  it('gives gatling-root a clean environment and a fixed PATH, whatever the distribution sets', () => {
    expect(lines.filter((l) => l.startsWith('Defaults'))).to.deep.equal([`Defaults!${HELPER} env_reset`, `Defaults!${HELPER} secure_path="/usr/sbin:/usr/bin:/sbin:/bin"`])
  })
})
