
import {GatlingCommand, appArg} from '../../base-command.js'
import {appTarget} from '../../config/app-target.js'
import {resolveEndpoint} from '../../remote/endpoint.js'
import {type ServedCertificate, servedCertificate} from '../../remote/served-certificate.js'

/** `gatling domains --json`: this shape is stable (new fields may be added, none removed or renamed). */
export interface DomainsReport {
  app: string
  host: string
  https: boolean
  domains: ServedCertificate[]
}

export default class Domains extends GatlingCommand {
  static summary = "List the app's domains and the certificate each is served with."

  static description = `For every domain in gatling.json: whether the server serves it over HTTPS with a certificate that covers it and is valid now, that certificate's issuer, expiry date and days left, and whether this machine trusts it. The certificate is read as a visitor's browser gets it: from port 443 of the server, with the domain as SNI (no DNS needed).

"gatling domains add" and "gatling domains remove" change the domains on the server without a rebuild.`

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static enableJsonFlag = true

  static args = appArg

  async run(): Promise<DomainsReport> {
    const {args} = await this.parse(Domains)
    const target = appTarget(process.cwd(), args.app, (message) => this.warn(message))
    const address = resolveEndpoint(target.host.address, {port: target.host.port}).host
    const domains = await Promise.all((target.config.domains ?? []).map((domain) => servedCertificate(address, domain)))
    const report: DomainsReport = {app: target.app, host: target.host.address, https: target.tls !== undefined, domains}
    if (domains.length === 0) this.log(`${target.app} has no domain: it answers every host name on ${target.host.address} over HTTP. Add one with "gatling domains add DOMAIN".`)
    for (const d of domains) {
      this.log(d.served
        ? `${d.domain}  https  ${d.issuer}  expires ${d.expires!.slice(0, 10)} (${d.daysLeft} days)${d.trusted ? '' : '  not trusted here (a private CA?)'}`
        : `${d.domain}  http only${d.problem ? `: ${d.problem}` : ''}`)
    }
    return report
  }
}
