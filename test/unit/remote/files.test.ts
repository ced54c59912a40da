import {expect} from 'chai'
import {execFileSync, spawnSync} from 'node:child_process'
import {chmodSync, readFileSync, statSync} from 'node:fs'
import {userInfo} from 'node:os'
import {join} from 'node:path'

import {fileMatches, writeFile} from '../../../src/remote/files.js'
import {tempDir} from '../support.js'

const me = userInfo().username
const myGroup = execFileSync('id', ['-gn'], {encoding: 'utf8'}).trim()

/**
 * Run a RemoteCommand locally (no sudo: the files belong to the current user). Node's stdio "pipes" are
 * socketpairs, which /dev/stdin cannot open; `cat |` gives the command a real pipe, as sshd does.
 */
const runLocally = (command: {script: string; input?: string}) => spawnSync('/bin/sh', ['-c', `cat | { ${command.script}\n}`], {input: command.input ?? '', encoding: 'utf8'})

describe('remote/files', () => {
  describe('writeFile', () => {
    it('installs from stdin with mode, owner and group beside the target, then renames it over', () => {
      const command = writeFile({path: '/etc/app/conf', content: 'hello\n', mode: '0640', owner: 'gatling', group: 'www-data'})
      expect(command.script).to.equal('install -m 0640 -o gatling -g www-data /dev/stdin /etc/app/conf.gatling-new && mv -f /etc/app/conf.gatling-new /etc/app/conf')
      expect(command.sudo).to.equal(true)
      expect(command.input).to.equal('hello\n')
      expect(command.secretInput).to.equal(undefined)
    })

    it('defaults the owner to root and the group to the owner', () => {
      expect(writeFile({path: '/x', content: '', mode: '0644'}).script).to.equal('install -m 0644 -o root -g root /dev/stdin /x.gatling-new && mv -f /x.gatling-new /x')
      expect(writeFile({path: '/x', content: '', mode: '0644', owner: 'bob'}).script).to.contain('-o bob -g bob')
    })

    it('quotes a path with spaces or quotes', () => {
      const command = writeFile({path: "/srv/my app/it's", content: 'x', mode: '0644'})
      expect(command.script).to.equal(`install -m 0644 -o root -g root /dev/stdin '/srv/my app/it'\\''s.gatling-new' && mv -f '/srv/my app/it'\\''s.gatling-new' '/srv/my app/it'\\''s'`)
    })

    it('marks secret content as secret input', () => {
      expect(writeFile({path: '/x', content: 's3cret', mode: '0600', secret: true})).to.deep.include({input: 's3cret', secretInput: true})
    })
  })

  describe('fileMatches', () => {
    it('compares content with cmp and mode:owner:group with stat, without leading zeros', () => {
      const command = fileMatches({path: '/etc/sudoers.d/gatling', content: 'rule\n', mode: '0440'})
      expect(command.script).to.equal(`cmp -s - /etc/sudoers.d/gatling && test "$(stat -c %a:%U:%G /etc/sudoers.d/gatling)" = 440:root:root`)
      expect(command).to.deep.include({sudo: true, input: 'rule\n'})
      expect(fileMatches({path: '/x', content: '', mode: '644', owner: 'a', group: 'b'}).script).to.match(/= 644:a:b$/)
    })
  })

  describe('writeFile and fileMatches, run for real in a temp dir', () => {
    let dir: string
    let cleanup: () => void
    beforeEach(() => ({dir, cleanup} = tempDir('gatling-unit-files-')))
    afterEach(() => cleanup())

    it('writes the file with the mode; fileMatches then agrees, and notices every kind of drift', () => {
      const file = {path: join(dir, 'it is "here"'), content: "line 1\nit's $HOME `x`\n", mode: '0640', owner: me, group: myGroup}
      expect(runLocally(fileMatches(file)).status, 'missing file').to.not.equal(0)

      const written = runLocally(writeFile(file))
      expect(written.status, written.stderr).to.equal(0)
      expect(readFileSync(file.path, 'utf8')).to.equal(file.content)
      expect(statSync(file.path).mode & 0o777).to.equal(0o640)
      expect(spawnSync('ls', [dir], {encoding: 'utf8'}).stdout.trim(), 'no temporary file is left behind').to.equal('it is "here"')

      expect(runLocally(fileMatches(file)).status).to.equal(0)
      expect(runLocally(fileMatches({...file, content: 'other'})).status, 'content').to.not.equal(0)
      expect(runLocally(fileMatches({...file, mode: '0644'})).status, 'mode').to.not.equal(0)
      expect(runLocally(fileMatches({...file, owner: 'nobody-such-user', group: myGroup})).status, 'owner').to.not.equal(0)
      chmodSync(file.path, 0o600)
      expect(runLocally(fileMatches(file)).status, 'after chmod').to.not.equal(0)
    })

    it('replaces an existing file atomically (same path, new content)', () => {
      const file = {path: join(dir, 'conf'), content: 'old\n', mode: '0644', owner: me, group: myGroup}
      expect(runLocally(writeFile(file)).status).to.equal(0)
      expect(runLocally(writeFile({...file, content: 'new\n'})).status).to.equal(0)
      expect(readFileSync(file.path, 'utf8')).to.equal('new\n')
    })
  })
})
