import type {SetupContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {and, cmd, sh} from '../remote/shell.js'

/** Compiling Elixir on a 1 GB server needs swap; a container can't have its own. */
export const createSwap: Step<SetupContext> = {
  title: 'Create a 1 GB swap file',
  skip: (ctx) => (ctx.os?.container ? 'the server is a container, which cannot enable swap' : false),
  check: () => cmd(`test -n "$(swapon --show --noheadings)"`, {sudo: true}),
  commands: () => [
    cmd(and(
      sh('fallocate', '-l', '1G', '/swapfile'), sh('chmod', '600', '/swapfile'), sh('mkswap', '/swapfile'), sh('swapon', '/swapfile'),
      `{ grep -q '^/swapfile ' /etc/fstab || echo '/swapfile none swap sw 0 0' >> /etc/fstab; }`,
    ), {sudo: true}),
  ],
}
