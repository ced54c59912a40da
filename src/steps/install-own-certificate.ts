import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd} from '../remote/shell.js'
import {helper} from './deploy-support.js'

/**
 * Your own certificate (tls.certificate, tls.key), checked locally (the key matches, valid now, every domain
 * covered) and again by gatling-root: the key goes on stdin, is never printed, and lands root's, 0600.
 */
export const installOwnCertificate: Step<DeployContext> = {
  title: 'Install your own certificate',
  cliOnly: true,
  skip: (ctx) => (ctx.tls?.own === undefined ? 'no certificate of your own (tls.certificate)' : false),
  commands: (ctx) => (ctx.tls?.own ? [cmd(helper(ctx, 'own-cert'), {input: `${ctx.tls.own.certificate.trim()}\n${ctx.tls.own.key.trim()}\n`, secretInput: true})] : []),
}
