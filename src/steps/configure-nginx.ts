import type {SetupContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {type RemoteFile, fileMatches, writeFile} from '../remote/files.js'
import {and, cmd, sh} from '../remote/shell.js'
import {NGINX_DRAIN_SECONDS, NGINX_MAIN_CONF} from '../server/layout.js'
import {render} from '../templates.js'

const files = (): RemoteFile[] => [
  {path: NGINX_MAIN_CONF, content: render('server/nginx-main.ejs', {drainSeconds: NGINX_DRAIN_SECONDS}), mode: '0644'},
  {path: '/etc/nginx/conf.d/gatling.conf', content: render('server/nginx-http.ejs'), mode: '0644'},
  {path: '/etc/nginx/sites-available/gatling-default', content: render('server/nginx-default.ejs'), mode: '0644'},
]

/** Replace the distribution's default site with gatling's, which apps' sites sit beside. */
export const configureNginx: Step<SetupContext> = {
  title: "Replace nginx's default site",
  check: () => [...files().map(fileMatches), cmd(and(sh('test', '!', '-e', '/etc/nginx/sites-enabled/default'), sh('test', '-d', '/etc/nginx/gatling')))],
  commands: () => [
    cmd(sh('install', '-d', '-m', '0755', '/etc/nginx/gatling'), {sudo: true}),
    ...files().map(writeFile),
    cmd(and(
      // an app without a domain takes the default server; otherwise gatling's default answers
      `{ ls /etc/nginx/sites-enabled/gatling-* 2>/dev/null | xargs -r grep -l default_server | grep -qv gatling-default || ${sh('ln', '-sfn', '/etc/nginx/sites-available/gatling-default', '/etc/nginx/sites-enabled/gatling-default')}; }`,
      sh('rm', '-f', '/etc/nginx/sites-enabled/default'),
      sh('nginx', '-t', '-q'),
      sh('systemctl', 'enable', '--now', 'nginx'),
      sh('systemctl', 'reload', 'nginx'),
    ), {sudo: true}),
  ],
}
