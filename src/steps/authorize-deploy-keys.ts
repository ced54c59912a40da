import type {SetupContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {type RemoteFile, fileMatches, writeFile} from '../remote/files.js'
import {deployHome} from '../server/layout.js'
import {render} from '../templates.js'

const authorizedKeys = (ctx: SetupContext): RemoteFile => ({
  path: `${deployHome(ctx.deployUser)}/.ssh/authorized_keys`,
  content: render('server/authorized_keys.ejs', {keys: ctx.authorizedKeys}),
  mode: '0600',
  owner: ctx.deployUser,
})

/** The operator's public keys may log in as the deploy user (for push, and for git push). */
export const authorizeDeployKeys: Step<SetupContext> = {
  title: 'Authorize your SSH key for the deploy user',
  check: (ctx) => fileMatches(authorizedKeys(ctx)),
  commands: (ctx) => [writeFile(authorizedKeys(ctx))],
}
