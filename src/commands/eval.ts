import {Args} from '@oclif/core'

import {GatlingCommand, appFlag, connectionFlags} from '../base-command.js'
import {deployContext} from '../config/app-target.js'
import {GatlingError} from '../errors.js'
import {deployTool} from '../steps/deploy-support.js'

export default class Eval extends GatlingCommand {
  static summary = 'Evaluate an Elixir expression in the running node and print its result.'

  static description = `The expression runs in the serving node (an rpc, as "bin/APP rpc" does), as the app, and its value is printed with inspect/2. A raise, throw or exit ends with a non-zero exit code and the exception's message. The expression travels on stdin and reaches the node base64-encoded inside a fixed expression: no shell on either side reads it, whatever quotes or characters it holds.`

  static examples = [`<%= config.bin %> <%= command.id %> 'Application.spec(:hello, :vsn)'`, `<%= config.bin %> <%= command.id %> ':erlang.memory(:total)'`]

  static args = {expression: Args.string({description: 'the Elixir expression', required: true})}

  static flags = {...connectionFlags, ...appFlag}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Eval)
    await this.withApp(flags, undefined, async (target, connection) => {
      const ctx = deployContext(target, {rev: 'HEAD'})
      const command = {...deployTool(ctx, 'eval'), input: args.expression}
      const stderr: string[] = []
      const result = await connection.exec(command, (line, stream) => (stream === 'stdout' ? this.log(line) : stderr.push(line)))
      if (result.code !== 0) {
        const raised = stderr.find((line) => line.startsWith('** ')) ?? stderr.find((line) => line.trim() !== '')
        throw new GatlingError(`The expression failed in ${target.app} on ${target.host.address}${raised ? `: ${raised.replace(/^\*\* /, '')}` : ` (exit ${result.code})`}`, {output: stderr.filter((line) => !/^\s+\(/.test(line)).slice(0, 15)})
      }
    })
  }
}
