// Writing files on a server: content on stdin, explicit mode and owner, atomic rename.
import {type RemoteCommand, and, cmd, sh} from './shell.js'

export interface RemoteFile {
  path: string
  content: string
  mode: string
  owner?: string
  group?: string
  secret?: boolean
  /** Written through sudo (the default); false for files the login user owns. */
  sudo?: boolean
}

/** Write to a temporary file beside the target, then rename: a reader never sees half a file. */
export function writeFile(file: RemoteFile): RemoteCommand {
  const owner = file.owner ?? 'root'
  const group = file.group ?? owner
  const tmp = `${file.path}.gatling-new`
  return cmd(and(sh('install', '-m', file.mode, '-o', owner, '-g', group, '/dev/stdin', tmp), sh('mv', '-f', tmp, file.path)), {
    sudo: file.sudo ?? true,
    input: file.content,
    secretInput: file.secret,
  })
}

/** Exit 0 when the file already has exactly this content, mode and owner. */
export function fileMatches(file: RemoteFile): RemoteCommand {
  const owner = file.owner ?? 'root'
  const group = file.group ?? owner
  const mode = file.mode.replace(/^0+(?=\d{3})/, '')
  return cmd(and(sh('cmp', '-s', '-', file.path), `test "$(stat -c %a:%U:%G ${sh(file.path)})" = ${sh(`${mode}:${owner}:${group}`)}`), {
    sudo: file.sudo ?? true,
    input: file.content,
    secretInput: file.secret,
  })
}
