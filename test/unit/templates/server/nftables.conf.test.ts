import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {render} from '../../../../src/templates.js'
import {tempDir} from '../../support.js'

describe('templates/server/nftables.conf', () => {
  const rules = render('server/nftables.conf.ejs', {sshPort: 2222})

  it('opens the SSH port, 80 and 443 and drops the rest', () => {
    expect(rules).to.contain('tcp dport { 2222, 80, 443 } accept')
    expect(rules).to.match(/hook input priority filter; policy drop;/)
    expect(rules).to.match(/hook forward priority filter; policy drop;/)
    expect(rules).to.contain('iif "lo" accept').and.contain('ct state established,related accept')
  })

  it('is accepted by `nft -c` where nft can check it', function () {
    // nft -c needs nftables and the right to open a netlink socket (root, or CAP_NET_ADMIN)
    if (spawnSync('nft', ['--version']).status !== 0) this.skip()
    const {dir, cleanup} = tempDir('gatling-unit-nft-')
    try {
      const file = join(dir, 'nftables.conf')
      writeFileSync(file, rules)
      const check = spawnSync('nft', ['-c', '-f', file], {encoding: 'utf8'})
      if (/Operation not permitted|cache initialization failed/.test(check.stderr)) this.skip()
      expect(check.status, check.stderr).to.equal(0)
    } finally {
      cleanup()
    }
  })
})
