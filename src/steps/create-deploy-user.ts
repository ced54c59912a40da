import type {SetupContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {and, cmd, sh} from '../remote/shell.js'
import {SHARED_DIRS, deployHome} from '../server/layout.js'

/** The unprivileged user that owns the apps' code and receives git pushes; the roots of the apps, root's. */
export const createDeployUser: Step<SetupContext> = {
  title: 'Create the deploy user',
  check: (ctx) => cmd(and(
    sh('id', '-u', ctx.deployUser),
    sh('test', '-d', `${deployHome(ctx.deployUser)}/.ssh`),
    ...SHARED_DIRS.map((d) => `test "$(stat -c %a:%U:%G ${sh(d.path)} 2>/dev/null)" = ${sh(`${d.mode.replace(/^0/, '')}:${d.owner}:${d.group}`)}`),
  ), {sudo: true}),
  commands: (ctx) => [
    cmd(`${sh('id', '-u', ctx.deployUser)} >/dev/null 2>&1 || ${sh('useradd', '--create-home', '--shell', '/bin/bash', '--user-group', ctx.deployUser)}`, {sudo: true}),
    cmd(and(
      ...SHARED_DIRS.map((d) => sh('install', '-d', '-m', d.mode, '-o', d.owner, '-g', d.group, d.path)),
      sh('install', '-d', '-m', '0700', '-o', ctx.deployUser, '-g', ctx.deployUser, `${deployHome(ctx.deployUser)}/.ssh`),
    ), {sudo: true}),
  ],
}
