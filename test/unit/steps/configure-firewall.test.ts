import {expect} from 'chai'

import {configureFirewall} from '../../../src/steps/configure-firewall.js'
import {render} from '../../../src/templates.js'
import {setupContext} from '../support.js'

describe('steps/configure-firewall', () => {
  it('checks the rules with nft -c before they replace the live ones, and opens the SSH port', () => {
    const [rules, enable] = configureFirewall.commands(setupContext({sshPort: 2222}))
    expect(rules.script).to.equal('install -m 0755 /dev/stdin /etc/nftables.conf.gatling-new && nft -c -f /etc/nftables.conf.gatling-new && mv -f /etc/nftables.conf.gatling-new /etc/nftables.conf')
    expect(rules.sudo).to.equal(true)
    expect(rules.input).to.equal(render('server/nftables.conf.ejs', {sshPort: 2222}))
    expect(rules.input).to.contain('tcp dport { 2222, 80, 443 } accept')
    expect(rules.input).to.contain('policy drop')
    expect(enable).to.deep.equal({script: 'systemctl enable --quiet nftables && systemctl restart nftables', sudo: true})
  })

  it('is unchanged when the rules are in place and nftables starts at boot', () => {
    const [file, enabled] = [configureFirewall.check!(setupContext({sshPort: 2222}))].flat()
    expect(file.script).to.match(/^cmp -s - \/etc\/nftables\.conf && /)
    expect(file.input).to.contain('2222')
    expect(enabled).to.deep.equal({script: 'systemctl is-enabled --quiet nftables', sudo: true})
  })
})
