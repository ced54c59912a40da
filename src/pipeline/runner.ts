// Runs a pipeline on a host as a listr2 task tree: live on a terminal, plain lines otherwise.
import {Listr, type ListrTaskWrapper} from 'listr2'

import {GatlingError} from '../errors.js'
import type {Connection, ExecResult} from '../remote/connection.js'
import type {RemoteCommand} from '../remote/shell.js'
import type {Pipeline, Step} from './step.js'

export interface RunOptions {
  /** Plain line output (no live redraw): piped output, CI, or --verbose. */
  plain: boolean
  dryRun: boolean
  /** Receives the plan under --dry-run. */
  print: (line: string) => void
}

export interface RunSummary {
  steps: Array<{title: string; status: 'done' | 'unchanged' | 'skipped'; ms: number}>
  totalMs: number
  changed: boolean
}

export const formatDuration = (ms: number): string => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`)

/** How a command reads in a plan or an error: sudo shown, secret input never shown. */
export function describeCommand(command: RemoteCommand): string {
  const input = command.input === undefined ? '' : command.secretInput ? `  <<< (secret, ${command.input.length} bytes)` : `  <<< (${command.input.length} bytes)`
  return `${command.sudo ? '[sudo] ' : ''}${command.script}${input}`
}

export async function runPipeline<C>(pipeline: Pipeline<C>, ctx: C, connection: Connection, options: RunOptions): Promise<RunSummary> {
  const summary: RunSummary = {steps: [], totalMs: 0, changed: false}
  const started = Date.now()
  if (options.dryRun) {
    await planPipeline(pipeline, ctx, connection, options.print)
    return summary
  }

  let failure: Error | undefined
  const tasks = new Listr(
    pipeline.map((step) => ({
      title: step.title,
      task: async (_: unknown, task: ListrTaskWrapper<unknown, never, never>) => {
        const t0 = Date.now()
        const reason = step.skip?.(ctx)
        if (reason) {
          summary.steps.push({title: step.title, status: 'skipped', ms: 0})
          task.skip(`${step.title}: skipped, ${reason}`)
          return
        }
        let status: Awaited<ReturnType<typeof runStep>>
        let lastLine = ''
        try {
          status = await runStep(step, ctx, connection, (line) => {
            if (line.trim()) lastLine = line.trim()
            task.output = options.plain ? `${connection.endpoint.alias} | ${line}` : line
          })
        } catch (error) {
          // the tree marks the step that failed; the full error is printed once, by the command
          failure = error as Error
          throw new Error(`${step.title} (failed after ${formatDuration(Date.now() - t0)})`)
        }
        const ms = Date.now() - t0
        summary.steps.push({title: step.title, status, ms})
        if (status === 'done' && !step.readOnly) summary.changed = true
        if (status === 'skipped') {
          task.skip(`${step.title}: skipped, ${step.onlyIfReason ?? 'not needed'}`)
          return
        }
        const outcome = step.reportsOutcome && lastLine ? `: ${lastLine}` : ''
        task.title = `${step.title}${status === 'unchanged' ? ' (unchanged)' : ''}${outcome} [${formatDuration(ms)}]`
      },
    })),
    {
      concurrent: false,
      exitOnError: true,
      renderer: options.plain ? 'verbose' : 'default',
      rendererOptions: options.plain ? {logTitleChange: false} : {collapseSubtasks: false, outputBar: 8, persistentOutput: false},
    } as never,
  )
  try {
    await tasks.run()
  } catch (error) {
    throw failure ?? error
  } finally {
    summary.totalMs = Date.now() - started
  }
  return summary
}

/** Run one step's check and commands; throws a GatlingError naming the step, host and command. */
export async function runStep<C>(step: Step<C>, ctx: C, connection: Connection, onLine: (line: string) => void): Promise<'done' | 'unchanged' | 'skipped'> {
  if (step.onlyIf && (await connection.exec(step.onlyIf(ctx))).code !== 0) return 'skipped'
  if (step.check && (await allSucceed(checks(step, ctx), connection))) return 'unchanged'
  const results: ExecResult[] = []
  for (const command of step.commands(ctx)) {
    const result = await connection.exec(command, (line) => onLine(line))
    if (result.code !== 0) throw stepFailure(step.title, connection, command, result)
    results.push(result)
  }
  step.after?.(ctx, results)
  return 'done'
}

const checks = <C>(step: Step<C>, ctx: C): RemoteCommand[] => (step.check ? [step.check(ctx)].flat() : [])

async function allSucceed(commands: RemoteCommand[], connection: Connection): Promise<boolean> {
  for (const command of commands) if ((await connection.exec(command)).code !== 0) return false
  return true
}

export function stepFailure(title: string, connection: Connection, command: RemoteCommand, result: ExecResult): GatlingError {
  return new GatlingError(`Step "${title}" failed on ${connection.label}: the command exited with status ${result.code}.`, {
    step: title,
    host: connection.label,
    command: describeCommand(command),
    output: result.tail,
    exitCode: result.code,
  })
}

async function planPipeline<C>(pipeline: Pipeline<C>, ctx: C, connection: Connection, print: (line: string) => void): Promise<void> {
  print(`Dry run on ${connection.label}: nothing will be changed.`)
  for (const step of pipeline) {
    const reason = step.skip?.(ctx)
    print('')
    print(`${step.title}${reason ? ` (skipped: ${reason})` : ''}`)
    if (reason) continue
    if (step.onlyIf) print(`  only if: ${describeCommand(step.onlyIf(ctx))}`)
    for (const check of checks(step, ctx)) print(`  unless: ${describeCommand(check)}`)
    const commands = step.commands(ctx)
    for (const command of commands) print(`  $ ${describeCommand(command)}`)
    if (step.readOnly) {
      const results: ExecResult[] = []
      for (const command of commands) {
        const result = await connection.exec(command)
        if (result.code !== 0) throw stepFailure(step.title, connection, command, result)
        results.push(result)
      }
      step.after?.(ctx, results)
    }
  }
}
