// The second driver: a pipeline rendered as one shell script (the server's git hook runs it).
import {type RemoteCommand, quote, sh} from '../remote/shell.js'
import {render} from '../templates.js'
import type {Pipeline} from './step.js'

const inline = (command: RemoteCommand): string => {
  if (command.secretInput) throw new Error('a command with secret input cannot go into a script')
  const body = command.sudo ? sh('sudo', '-n', 'sh', '-c', command.script) : command.script
  const subshell = `(\n${body}\n)`
  if (command.input === undefined) return subshell
  return `printf '%s' ${quote(Buffer.from(command.input).toString('base64'))} | base64 -d | ${subshell}`
}

export function renderScript<C>(template: string, pipeline: Pipeline<C>, ctx: C, data: Record<string, unknown>): string {
  const steps = pipeline
    .filter((step) => !step.cliOnly && !step.skip?.(ctx))
    .map((step) => ({
      title: quote(step.title),
      onlyIf: step.onlyIf ? `(\n${step.onlyIf(ctx).script}\n) >/dev/null 2>&1` : 'true',
      onlyIfReason: quote(step.onlyIfReason ?? ''),
      commands: step.commands(ctx).map(inline).join(' &&\n'),
    }))
  return render(template, {...data, steps})
}
