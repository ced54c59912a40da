
import {GatlingCommand, appArg, appFlag, connectionFlags} from '../base-command.js'
import {deployContext} from '../config/app-target.js'
import {type StatusReport, formatBytes, formatUptime, readStatus} from '../remote/app-info.js'

export default class Status extends GatlingCommand {
  static summary = 'Show what runs: version, commit, pid, uptime, memory, health through nginx, the instance(s) serving.'

  static description = `Per host: the release the serving node runs and its commit, whether it was hot-upgraded in place (and when) or restarted (since when), and for each of the app's two instances its state, OS pid, uptime and resident memory, and whether nginx sends it traffic (both, primary and backup, during a restart's switch); then the health check through nginx, as a visitor gets it. One SSH login, two commands.`

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json', '<%= config.bin %> <%= command.id %> -a hello']

  static enableJsonFlag = true

  static args = appArg

  static flags = {...connectionFlags, ...appFlag}

  async run(): Promise<StatusReport> {
    const {args, flags} = await this.parse(Status)
    const report = await this.withApp(flags, args.app, (target, connection) => readStatus(connection, deployContext(target, {rev: 'HEAD'})))
    if (!report.version) this.log(`${report.app} on ${report.host}: not running${report.current ? ` (current release ${report.current}; "gatling start" starts it)` : ' (nothing deployed yet: gatling push)'}`)
    else {
      this.log(`${report.app} on ${report.host}: ${report.version}${report.commit ? ` (commit ${report.commit.slice(0, 12)})` : ''}, ${report.mode === 'hot' ? 'hot-upgraded' : 'restarted'} ${report.since}`)
    }
    for (const i of report.instances) {
      const role = i.serving ? `  serving (${i.serving})` : ''
      this.log(i.pid === null
        ? `  ${report.app}@${i.port}  ${i.state}${role}`
        : `  ${report.app}@${i.port}  ${i.state}  pid ${i.pid}  up ${formatUptime(i.uptimeSeconds ?? 0)}  rss ${formatBytes(i.rssBytes ?? 0)}  ${i.version ?? '?'}${role}`)
    }
    this.log(`  GET ${report.health.path} through nginx: ${report.health.status || 'no answer'}`)
    return report
  }
}
