import {Args, Flags} from '@oclif/core'

import {GatlingCommand, appFlag, connectionFlags} from '../../base-command.js'

export default class DomainsAdd extends GatlingCommand {
  static summary = 'Add domains to the app: nginx serves them at once, with a certificate when the app has "tls".'

  static description = `Checks every domain first, then rewrites the app's nginx site and reloads nginx gracefully (no rebuild, no restart, no failed request), gets a certificate that covers the new domains when gatling.json has "tls", and records them in gatling.json. If the ACME server refuses a domain (it does not point at the server), the site goes back to what it was and gatling.json is left unchanged.`

  static examples = ['<%= config.bin %> <%= command.id %> www.example.com', '<%= config.bin %> <%= command.id %> shop.example.com blog.example.com --app myapp']

  static strict = false

  static args = {
    domain: Args.string({description: 'a domain to add (several may follow)', required: true}),
  }

  static flags = {
    ...connectionFlags,
    ...appFlag,
    'dry-run': Flags.boolean({description: 'print the steps and the exact remote commands without changing anything'}),
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(DomainsAdd)
    const added = argv as string[]
    const target = await this.changeDomains(flags.app, flags, (domains) => [...new Set([...domains, ...added])], added)
    if (!flags['dry-run']) this.log(`${target.app} now answers ${target.config.domains!.join(', ')}${target.tls ? ' over HTTPS' : ''}.`)
  }
}
