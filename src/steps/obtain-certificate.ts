import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd} from '../remote/shell.js'
import {helper, siteArgs} from './deploy-support.js'

/**
 * A certificate for every domain from the ACME server (certbot, HTTP-01 through the site's challenge
 * location), kept while it covers them for 30 more days; then the site serves them over HTTPS. A failed
 * challenge names the domain and what the ACME server said, and leaves the site as it was.
 */
export const obtainCertificate: Step<DeployContext> = {
  title: 'Obtain the HTTPS certificate',
  reportsOutcome: true,
  skip: (ctx) => (ctx.tls?.acme === undefined ? (ctx.tls?.own ? 'your own certificate (tls.certificate)' : 'no HTTPS (tls in gatling.json)') : false),
  commands: (ctx) => {
    const acme = ctx.tls?.acme
    return acme ? [cmd(helper(ctx, 'cert', acme.email, acme.directory, ...ctx.domains)), cmd(helper(ctx, 'site', ...siteArgs(ctx)))] : []
  },
}
