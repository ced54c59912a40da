import type {SetupContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd, sh} from '../remote/shell.js'
import {HELPER} from '../server/layout.js'

/**
 * A private ACME server's CA certificates (tls.acmeCa, read and checked locally) join the server's trust
 * store, so that certbot reaches the server, certbot.timer renews, and the health check verifies what it issued.
 * What the whole server trusts is root's to change: setup does it on the operator's login, and gatling-root
 * refuses it to the deploy user, so a push (or a compromised deploy user) can never add a CA.
 */
export const trustAcmeCa: Step<SetupContext> = {
  title: "Trust the ACME server's CA",
  cliOnly: true,
  skip: (ctx) => (ctx.acmeCa === undefined ? 'no private ACME CA (tls.acmeCa)' : false),
  commands: (ctx) => (ctx.acmeCa ? [cmd(sh(HELPER, 'acme-ca', ctx.acmeCa.app), {sudo: true, input: ctx.acmeCa.pem})] : []),
}
