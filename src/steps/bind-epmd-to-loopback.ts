import type {SetupContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {type RemoteFile, fileMatches, writeFile} from '../remote/files.js'
import {and, cmd, sh} from '../remote/shell.js'
import {render} from '../templates.js'

const dropIn = (): RemoteFile => ({path: '/etc/systemd/system/epmd.socket.d/gatling.conf', content: render('server/epmd-loopback.conf.ejs'), mode: '0644'})

/** Debian's epmd.socket listens on every interface; an exposed epmd invites attacks on the cookie. */
export const bindEpmdToLoopback: Step<SetupContext> = {
  title: 'Bind epmd to loopback',
  check: () => fileMatches(dropIn()),
  commands: () => [
    cmd(sh('install', '-d', '-m', '0755', '/etc/systemd/system/epmd.socket.d'), {sudo: true}),
    writeFile(dropIn()),
    cmd(and(sh('systemctl', 'daemon-reload'), sh('systemctl', 'stop', 'epmd.service', 'epmd.socket'), sh('systemctl', 'enable', '--now', 'epmd.socket')), {sudo: true}),
  ],
}
