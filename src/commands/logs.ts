import {Flags} from '@oclif/core'

import {GatlingCommand, appArg, appFlag, connectionFlags} from '../base-command.js'
import {deployContext} from '../config/app-target.js'
import {GatlingError, shown} from '../errors.js'
import {formatJournalEntry, parseJournalLine} from '../remote/journal.js'
import {cmd} from '../remote/shell.js'
import {RULES, isValid} from '../server/rules.js'
import {helper} from '../steps/deploy-support.js'

export default class Logs extends GatlingCommand {
  static summary = "Show the app's log (its journal), or follow it with -f."

  static description = `The journal of every instance of the app (APP@PORT.service: both of them during a restart), each line with its time and instance. With -f, new lines as they come until Ctrl-C, through deploys and restarts. Read through gatling-root, which names only this app's units: the deploy user cannot read another app's journal.`

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> -f', '<%= config.bin %> <%= command.id %> -n 500 --since "2026-12-01 14:00"', '<%= config.bin %> <%= command.id %> --since 10m']

  static args = appArg

  static flags = {
    ...connectionFlags,
    ...appFlag,
    follow: Flags.boolean({char: 'f', description: 'keep printing new lines until Ctrl-C'}),
    lines: Flags.string({char: 'n', description: 'how many of the last lines (1 to 100000)', default: '100'}),
    since: Flags.string({description: `only lines from then on: ${RULES.logSince.description.replace(/^a time like /, '')}; a bare duration (10m) means that long ago`}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Logs)
    if (!isValid('logLines', flags.lines)) throw new GatlingError(`-n ${shown(flags.lines)} is not ${RULES.logLines.description}.`)
    const since = flags.since === undefined ? '-' : /^[0-9]+(s|min|m|h|d|w)$/.test(flags.since) ? `-${flags.since}` : flags.since
    if (since !== '-' && !isValid('logSince', since)) throw new GatlingError(`--since ${shown(flags.since!)} is not ${RULES.logSince.description}.`)
    await this.withApp(flags, args.app, async (target, connection) => {
      const ctx = deployContext(target, {rev: 'HEAD'})
      const command = cmd(helper(ctx, 'logs', 'all', flags.lines, since, ...(flags.follow ? ['follow'] : [])))
      const stop = new AbortController()
      const interrupt = () => stop.abort()
      process.once('SIGINT', interrupt)
      process.once('SIGTERM', interrupt)
      const errors: string[] = []
      try {
        const {code} = await connection.stream(command, {
          signal: stop.signal,
          onLine: (line, stream) => {
            if (stream === 'stderr') return void errors.push(line)
            const entry = parseJournalLine(line)
            if (entry) this.log(formatJournalEntry(entry))
          },
        })
        if (code !== 0 && !stop.signal.aborted) throw new GatlingError(`Reading the journal of ${target.app} on ${target.host.address} failed (exit ${code}).`, {command: command.script, output: errors})
      } finally {
        process.off('SIGINT', interrupt)
        process.off('SIGTERM', interrupt)
      }
    })
  }
}
