import type {SetupContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {type RemoteFile, fileMatches, writeFile} from '../remote/files.js'
import {and, cmd, sh} from '../remote/shell.js'
import {CERTBOT_DEPLOY_HOOK} from '../server/layout.js'
import {render} from '../templates.js'
import {apt} from './install-packages.js'

const hook = (): RemoteFile => ({path: CERTBOT_DEPLOY_HOOK, content: render('server/certbot-deploy-hook.ejs'), mode: '0755'})

/**
 * certbot from the distribution, for certificates over ACME: its own certbot.timer renews them (twice a
 * day, those within 30 days of expiry), and the deploy hook reloads nginx gracefully after a renewal.
 */
export const installCertbot: Step<SetupContext> = {
  title: 'Install certbot and its renewal timer',
  skip: (ctx) => (ctx.certbot ? false : 'no certificate from ACME (tls.email in gatling.json)'),
  check: () => [
    cmd(`test "$(dpkg-query -W -f '\${db:Status-Status}' certbot 2>/dev/null)" = installed`),
    fileMatches(hook()),
    cmd(sh('systemctl', 'is-enabled', '--quiet', 'certbot.timer'), {sudo: true}),
  ],
  commands: () => [
    cmd(apt('install', '-y', '--no-install-recommends', 'certbot'), {sudo: true}),
    cmd(sh('install', '-d', '-m', '0755', `${CERTBOT_DEPLOY_HOOK.replace(/\/[^/]+$/, '')}`), {sudo: true}),
    writeFile(hook()),
    cmd(and(sh('systemctl', 'enable', '--quiet', 'certbot.timer'), sh('systemctl', 'start', 'certbot.timer')), {sudo: true}),
  ],
}
