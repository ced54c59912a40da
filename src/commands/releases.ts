
import {GatlingCommand, appArg, appFlag, connectionFlags} from '../base-command.js'
import {deployContext} from '../config/app-target.js'
import {type ReleaseInfo, readReleases} from '../remote/app-info.js'

/** `gatling releases --json`: stable (fields are added, never renamed or removed). */
export interface ReleasesReport {
  app: string
  host: string
  current: string | null
  releases: ReleaseInfo[]
}

export default class Releases extends GatlingCommand {
  static summary = 'List the kept releases: version, commit, when, who deployed it, how, and which is current.'

  static description = `Every release kept on the server ("keepReleases" in gatling.json, default 5; pruning never removes the current release or the one before it), highest deploy number first. Each was recorded when it became current: its commit, the time, who deployed it (git's user.name <user.email> where the CLI ran, else $USER@host; "git push" for a plain git push) and how: first, hot (upgraded in the running node), restart (zero-downtime restart) or rollback. "gatling rollback --to VERSION" goes back to one of them.`

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static enableJsonFlag = true

  static args = appArg

  static flags = {...connectionFlags, ...appFlag}

  async run(): Promise<ReleasesReport> {
    const {args, flags} = await this.parse(Releases)
    return this.withApp(flags, args.app, async (target, connection) => {
      const releases = await readReleases(connection, deployContext(target, {rev: 'HEAD'}))
      const report = {app: target.app, host: target.host.address, current: releases.find((r) => r.current)?.version ?? null, releases}
      if (releases.length === 0) this.log(`${target.app} on ${target.host.address} has no release yet: gatling push.`)
      for (const r of releases) {
        const how = r.how === 'rollback' ? `rollback (${r.path})` : (r.how ?? '?')
        this.log(`${r.current ? '*' : ' '} ${r.version.padEnd(14)} ${(r.commit ?? '-').slice(0, 12).padEnd(12)} ${(r.time ?? '-').padEnd(20)} ${how.padEnd(18)} ${r.by ?? '-'}`)
      }
      return report
    })
  }
}
