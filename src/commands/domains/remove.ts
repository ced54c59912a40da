import {Args, Flags} from '@oclif/core'

import {GatlingCommand, appFlag, connectionFlags} from '../../base-command.js'
import {GatlingError, shown} from '../../errors.js'

export default class DomainsRemove extends GatlingCommand {
  static summary = 'Remove domains from the app: nginx stops answering them for it, with no rebuild.'

  static description = `Rewrites the app's nginx site without the domains and reloads nginx gracefully, then records the change in gatling.json. The certificate is kept (it still covers the remaining domains; certbot renews it for all of its names).`

  static examples = ['<%= config.bin %> <%= command.id %> old.example.com']

  static strict = false

  static args = {
    domain: Args.string({description: 'a domain to remove (several may follow)', required: true}),
  }

  static flags = {
    ...connectionFlags,
    ...appFlag,
    'dry-run': Flags.boolean({description: 'print the steps and the exact remote commands without changing anything'}),
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(DomainsRemove)
    const removed = argv as string[]
    const target = await this.changeDomains(flags.app, flags, (domains) => {
      const unknown = removed.filter((d) => !domains.includes(d))
      if (unknown.length > 0) throw new GatlingError(`${unknown.map(shown).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not among the app's domains (${domains.join(', ') || 'none'}): nothing was changed.`)
      return domains.filter((d) => !removed.includes(d))
    }, removed)
    if (!flags['dry-run']) this.log(`${target.app} now answers ${target.config.domains!.length ? target.config.domains!.join(', ') : 'every host name (no domain left)'}.`)
  }
}
