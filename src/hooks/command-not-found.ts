// An unknown command: the closest one is suggested (gatling psuh -> push), terminal or not, and nothing runs.
// (@oclif/plugin-not-found names its suggestion only in a prompt on a terminal, and then runs it: a typo would
// become a deploy on Enter.)
import type {Hook} from '@oclif/core'
import {closestMatch} from 'leven'

const hook: Hook.CommandNotFound = async function (options) {
  const ids = options.config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases])
  const typed = options.id.replaceAll(':', ' ')
  const suggestion = closestMatch(options.id, ids)?.replaceAll(':', ' ')
  this.error(`"${typed}" is not a ${options.config.bin} command.${suggestion ? ` Did you mean "${options.config.bin} ${suggestion}"?` : ''} Run "${options.config.bin} --help" for the list of commands.`, {exit: 127})
}

export default hook
