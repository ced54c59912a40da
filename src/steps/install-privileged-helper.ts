import type {SetupContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {type RemoteFile, fileMatches, writeFile} from '../remote/files.js'
import {type RemoteCommand, and, cmd, sh} from '../remote/shell.js'
import {HELPER, SHARE_DIR} from '../server/layout.js'
import {renderGatlingRoot, renderSiteTemplate, renderSudoers, renderUnitTemplate} from '../server/scripts.js'

function files(ctx: SetupContext): RemoteFile[] {
  return [
    {path: HELPER, content: renderGatlingRoot(undefined, ctx.deployUser), mode: '0755'},
    // templates gatling-root fills per app: values are @@NAME@@ placeholders
    {path: `${SHARE_DIR}/app@.service`, content: renderUnitTemplate(), mode: '0644'},
    {path: `${SHARE_DIR}/nginx-site`, content: renderSiteTemplate(), mode: '0644'},
  ]
}

const sudoers = (ctx: SetupContext): RemoteFile => ({path: '/etc/sudoers.d/gatling', content: renderSudoers(ctx.deployUser), mode: '0440'})

/** gatling-root and the sudo rule that lets the deploy user run it, and nothing else, as root. */
export const installPrivilegedHelper: Step<SetupContext> = {
  title: 'Install gatling-root and its sudo rule',
  check: (ctx) => [...files(ctx), sudoers(ctx)].map(fileMatches),
  commands: (ctx): RemoteCommand[] => [
    cmd(sh('install', '-d', '-m', '0755', SHARE_DIR), {sudo: true}),
    ...files(ctx).map(writeFile),
    // visudo checks the rule before it is live: a broken sudoers file would lock sudo out
    cmd(and(sh('install', '-m', '0440', '/dev/stdin', '/etc/sudoers.d/.gatling-new'), sh('visudo', '-cqf', '/etc/sudoers.d/.gatling-new'), sh('mv', '-f', '/etc/sudoers.d/.gatling-new', '/etc/sudoers.d/gatling')), {sudo: true, input: sudoers(ctx).content}),
  ],
}
