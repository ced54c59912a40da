import type {SetupContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {type RemoteFile, fileMatches, writeFile} from '../remote/files.js'
import {and, cmd, sh} from '../remote/shell.js'
import {render} from '../templates.js'

const rules = (ctx: SetupContext): RemoteFile => ({path: '/etc/nftables.conf', content: render('server/nftables.conf.ejs', {sshPort: ctx.sshPort}), mode: '0755'})

/** Only SSH, HTTP and HTTPS reach the server: epmd, Erlang distribution and app ports stay inside. */
export const configureFirewall: Step<SetupContext> = {
  title: 'Firewall: allow only SSH, HTTP and HTTPS',
  check: (ctx) => [fileMatches(rules(ctx)), cmd(sh('systemctl', 'is-enabled', '--quiet', 'nftables'), {sudo: true})],
  commands: (ctx) => [
    // -c checks the rules before they replace the live ones: a bad file never locks SSH out
    cmd(and(sh('install', '-m', '0755', '/dev/stdin', '/etc/nftables.conf.gatling-new'), sh('nft', '-c', '-f', '/etc/nftables.conf.gatling-new'), sh('mv', '-f', '/etc/nftables.conf.gatling-new', '/etc/nftables.conf')), {sudo: true, input: rules(ctx).content}),
    cmd(and(sh('systemctl', 'enable', '--quiet', 'nftables'), sh('systemctl', 'restart', 'nftables')), {sudo: true}),
  ],
}
