import {expect} from 'chai'

import {bindEpmdToLoopback} from '../../../src/steps/bind-epmd-to-loopback.js'
import {render} from '../../../src/templates.js'
import {setupContext} from '../support.js'

describe('steps/bind-epmd-to-loopback', () => {
  const dropIn = '/etc/systemd/system/epmd.socket.d/gatling.conf'

  it('writes the socket drop-in, then restarts epmd.socket from it, all as root', () => {
    const [dir, write, restart] = bindEpmdToLoopback.commands(setupContext())
    expect(dir).to.deep.equal({script: 'install -d -m 0755 /etc/systemd/system/epmd.socket.d', sudo: true})
    expect(write.script).to.equal(`install -m 0644 -o root -g root /dev/stdin ${dropIn}.gatling-new && mv -f ${dropIn}.gatling-new ${dropIn}`)
    expect(write.input).to.equal(render('server/epmd-loopback.conf.ejs'))
    expect(restart).to.deep.equal({script: 'systemctl daemon-reload && systemctl stop epmd.service epmd.socket && systemctl enable --now epmd.socket', sudo: true})
  })

  it('is unchanged when the drop-in is already there', () => {
    const [check] = [bindEpmdToLoopback.check!(setupContext())].flat()
    expect(check.script).to.match(new RegExp(`^cmp -s - ${dropIn} && `))
    expect(check.input).to.equal(render('server/epmd-loopback.conf.ejs'))
  })
})
