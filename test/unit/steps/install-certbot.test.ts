import {expect} from 'chai'

import {installCertbot} from '../../../src/steps/install-certbot.js'
import {scriptsOf, setupContext} from '../support.js'

describe('steps/install-certbot', () => {
  it("installs the distribution's certbot, the deploy hook that reloads nginx after a renewal, and enables certbot.timer", () => {
    const ctx = setupContext({certbot: true})
    expect(installCertbot.skip?.(ctx)).to.equal(false)
    const [install, dir, hook, timer] = installCertbot.commands(ctx)
    expect(install.script).to.match(/apt-get .* install -y --no-install-recommends certbot$/)
    expect(dir.script).to.equal('install -d -m 0755 /etc/letsencrypt/renewal-hooks/deploy')
    expect(hook.script).to.contain('/etc/letsencrypt/renewal-hooks/deploy/gatling-reload-nginx')
    expect(hook.input).to.contain('nginx -t -q\nsystemctl reload nginx\n')
    expect(timer.script).to.equal('systemctl enable --quiet certbot.timer && systemctl start certbot.timer')
    expect(scriptsOf(installCertbot, ctx).join('\n')).to.contain('dpkg-query -W')
  })

  it('is skipped unless gatling.json asks for certificates over ACME', () => {
    expect(installCertbot.skip?.(setupContext())).to.match(/tls\.email/)
  })
})
