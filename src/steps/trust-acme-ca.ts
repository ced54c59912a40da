import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd} from '../remote/shell.js'
import {helper} from './deploy-support.js'

/**
 * A private ACME server's CA certificates (tls.acmeCa, read and checked locally) join the server's trust
 * store, so that certbot reaches the server, certbot.timer renews, and the health check verifies what it issued.
 */
export const trustAcmeCa: Step<DeployContext> = {
  title: "Trust the ACME server's CA",
  cliOnly: true,
  skip: (ctx) => (ctx.tls?.acmeCa === undefined ? 'no private ACME CA (tls.acmeCa)' : false),
  commands: (ctx) => [cmd(helper(ctx, 'acme-ca'), {input: ctx.tls?.acmeCa})],
}
