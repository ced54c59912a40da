import {APPS_ROOT, type SetupContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {and, cmd, sh} from '../remote/shell.js'

/** The unprivileged user that owns the apps' code and receives git pushes. */
export const createDeployUser: Step<SetupContext> = {
  title: 'Create the deploy user',
  check: (ctx) => cmd(and(sh('id', '-u', ctx.deployUser), sh('test', '-d', APPS_ROOT), sh('test', '-d', `/home/${ctx.deployUser}/.ssh`)), {sudo: true}),
  commands: (ctx) => [
    cmd(`${sh('id', '-u', ctx.deployUser)} >/dev/null 2>&1 || ${sh('useradd', '--create-home', '--shell', '/bin/bash', '--user-group', ctx.deployUser)}`, {sudo: true}),
    cmd(and(
      sh('install', '-d', '-m', '0755', '-o', ctx.deployUser, '-g', ctx.deployUser, APPS_ROOT),
      sh('install', '-d', '-m', '0700', '-o', ctx.deployUser, '-g', ctx.deployUser, `/home/${ctx.deployUser}/.ssh`),
    ), {sudo: true}),
  ],
}
