import {expect} from 'chai'
import {execFileSync, spawnSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {
  type HostKey, appendKnownHost, checkHostKey, fingerprint, formatHostKey, hostKeyFromBlob, knownHostsName, knownKeyTypes, parseHostKey,
  parseKnownHosts, patternsMatch, readHostKey, readKnownHosts,
} from '../../../src/remote/host-keys.js'
import {tempDir} from '../support.js'

/** ssh-keygen's answer to "does this known_hosts file have an entry for NAME" (plain, hashed, wildcard, negated). */
const sshKeygenFinds = (file: string, name: string): boolean => spawnSync('ssh-keygen', ['-F', name, '-f', file], {encoding: 'utf8'}).status === 0

describe('remote/host-keys', () => {
  let dir: string
  let cleanup: () => void
  const keys: Record<string, HostKey> = {}
  const pubFiles: Record<string, string> = {}

  before(function () {
    this.timeout(30_000)
    ;({dir, cleanup} = tempDir('gatling-unit-hostkeys-'))
    for (const [name, args] of Object.entries({ed25519: ['-t', 'ed25519'], ecdsa: ['-t', 'ecdsa', '-b', '256'], rsa: ['-t', 'rsa', '-b', '2048'], ed25519b: ['-t', 'ed25519']})) {
      const file = join(dir, `key_${name}`)
      execFileSync('ssh-keygen', [...args, '-N', '', '-q', '-C', `comment for ${name}`, '-f', file])
      pubFiles[name] = `${file}.pub`
      keys[name] = parseHostKey(readFileSync(`${file}.pub`, 'utf8'))
    }
  })

  after(() => cleanup())

  describe('parseHostKey / formatHostKey / hostKeyFromBlob', () => {
    it('reads the type and base64 of a .pub line, dropping the comment', () => {
      const line = readFileSync(pubFiles.ed25519, 'utf8')
      const key = parseHostKey(line)
      expect(key.type).to.equal('ssh-ed25519')
      expect(formatHostKey(key)).to.equal(line.trim().split(' ').slice(0, 2).join(' '))
      expect(keys.rsa.type).to.equal('ssh-rsa')
      expect(keys.ecdsa.type).to.equal('ecdsa-sha2-nistp256')
    })

    it('refuses a line that is not a public key', () => {
      expect(() => parseHostKey('ssh-ed25519')).to.throw(/not an SSH public key/)
      expect(() => parseHostKey('   ')).to.throw(/not an SSH public key/)
    })

    it('readHostKey accepts a .pub line only when the blob is of the type the line names', () => {
      expect(readHostKey(formatHostKey(keys.rsa))).to.deep.equal(keys.rsa)
      expect(readHostKey(`${formatHostKey(keys.ecdsa)}\tcomment with spaces`)).to.deep.equal(keys.ecdsa)
      for (const bad of [
        `ssh-rsa ${keys.ed25519.base64}`, // an ed25519 blob called RSA
        'ssh-ed25519 AAAA', 'ssh-ed25519 not-base64!', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5', // truncated blob
        `${formatHostKey(keys.ed25519)}\n${formatHostKey(keys.rsa)}`, `${formatHostKey(keys.ed25519)} a\0b`, `-oProxyCommand=x ${keys.ed25519.base64}`, '',
      ]) expect(readHostKey(bad), JSON.stringify(bad)).to.equal(undefined)
    })

    it('takes the key type from the first string of the wire blob', () => {
      for (const name of ['ed25519', 'ecdsa', 'rsa']) {
        const key = hostKeyFromBlob(Buffer.from(keys[name].base64, 'base64'))
        expect(key).to.deep.equal(keys[name])
      }
    })
  })

  describe('fingerprint', () => {
    it('matches `ssh-keygen -lf` for ed25519, ecdsa and rsa keys', () => {
      for (const name of ['ed25519', 'ecdsa', 'rsa']) {
        const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubFiles[name]], {encoding: 'utf8'})
        expect(fingerprint(keys[name]), name).to.equal(out.split(' ')[1])
        expect(fingerprint(keys[name])).to.match(/^SHA256:[A-Za-z0-9+/]{43}$/)
      }
    })

    it('differs between two keys', () => {
      expect(fingerprint(keys.ed25519)).to.not.equal(fingerprint(keys.ed25519b))
    })
  })

  describe('knownHostsName', () => {
    it('is the bare host on port 22 and [host]:port otherwise', () => {
      expect(knownHostsName('example.com', 22)).to.equal('example.com')
      expect(knownHostsName('203.0.113.10', 2222)).to.equal('[203.0.113.10]:2222')
      expect(knownHostsName('::1', 2200)).to.equal('[::1]:2200')
    })
  })

  describe('parseKnownHosts', () => {
    it('reads plain, marked and commented lines, skipping blanks and garbage', () => {
      const text = [
        '# a comment',
        '',
        `example.com,203.0.113.10 ${formatHostKey(keys.ed25519)} root@somewhere`,
        `   [example.com]:2222 ${formatHostKey(keys.rsa)}`,
        `@revoked * ${formatHostKey(keys.ecdsa)}`,
        `@cert-authority *.example.com ${formatHostKey(keys.ed25519b)}`,
        'truncated-line ssh-ed25519',
        '\r',
      ].join('\n')
      const entries = parseKnownHosts(text)
      expect(entries).to.have.length(4)
      expect(entries[0]).to.deep.equal({marker: undefined, patterns: 'example.com,203.0.113.10', ...keys.ed25519})
      expect(entries[1]).to.deep.include({patterns: '[example.com]:2222', type: 'ssh-rsa'})
      expect(entries[2]).to.deep.include({marker: '@revoked', patterns: '*', base64: keys.ecdsa.base64})
      expect(entries[3]).to.deep.include({marker: '@cert-authority', patterns: '*.example.com'})
    })

    it('tolerates CRLF line endings', () => {
      const entries = parseKnownHosts(`example.com ${formatHostKey(keys.ed25519)}\r\nother ${formatHostKey(keys.rsa)}\r\n`)
      expect(entries.map((e) => e.base64)).to.deep.equal([keys.ed25519.base64, keys.rsa.base64])
    })
  })

  describe('patternsMatch', () => {
    it('matches comma lists, wildcards and [host]:port, case-insensitively', () => {
      expect(patternsMatch('example.com,203.0.113.10', '203.0.113.10')).to.equal(true)
      expect(patternsMatch('example.com', 'EXAMPLE.com')).to.equal(true)
      expect(patternsMatch('*.example.com', 'web.example.com')).to.equal(true)
      expect(patternsMatch('*.example.com', 'example.com')).to.equal(false)
      expect(patternsMatch('web?.example.com', 'web1.example.com')).to.equal(true)
      expect(patternsMatch('web?.example.com', 'web10.example.com')).to.equal(false)
      expect(patternsMatch('[example.com]:2222', '[example.com]:2222')).to.equal(true)
      expect(patternsMatch('[example.com]:2222', 'example.com')).to.equal(false)
      expect(patternsMatch('example.com', '[example.com]:2222')).to.equal(false)
    })

    it('treats regex metacharacters in a pattern literally', () => {
      expect(patternsMatch('203.0.113.10', '203x0y113z10')).to.equal(false)
      expect(patternsMatch('a+b.example', 'aab.example')).to.equal(false)
      expect(patternsMatch('a+b.example', 'a+b.example')).to.equal(true)
    })

    it('a negated pattern vetoes the line even when another pattern matches', () => {
      expect(patternsMatch('*.example.com,!bad.example.com', 'good.example.com')).to.equal(true)
      expect(patternsMatch('*.example.com,!bad.example.com', 'bad.example.com')).to.equal(false)
      expect(patternsMatch('!bad.example.com,*.example.com', 'bad.example.com')).to.equal(false)
      expect(patternsMatch('!bad.example.com', 'other.example.com')).to.equal(false)
    })

    it('agrees with `ssh-keygen -F` on plain, wildcard and negated lines', () => {
      const file = join(dir, 'known_hosts_patterns')
      const lines = ['*.example.com,!bad.example.com', 'web?.example.org', '[alt.example.net]:2222', '203.0.113.7']
      writeFileSync(file, lines.map((p) => `${p} ${formatHostKey(keys.ed25519)}\n`).join(''))
      const names = ['good.example.com', 'bad.example.com', 'example.com', 'web1.example.org', 'web12.example.org', '[alt.example.net]:2222', 'alt.example.net', '203.0.113.7', '203.0.113.70']
      for (const name of names) {
        const ours = lines.some((p) => patternsMatch(p, name))
        expect(ours, name).to.equal(sshKeygenFinds(file, name))
      }
    })

    it('matches entries hashed by `ssh-keygen -H`, for port 22 and [host]:port names', () => {
      const file = join(dir, 'known_hosts_hashed')
      writeFileSync(file, `example.com ${formatHostKey(keys.ed25519)}\n[example.com]:2222 ${formatHostKey(keys.rsa)}\n203.0.113.10 ${formatHostKey(keys.ecdsa)}\n`)
      execFileSync('ssh-keygen', ['-H', '-f', file], {stdio: 'ignore'})
      const entries = readKnownHosts(file)
      expect(entries).to.have.length(3)
      for (const entry of entries) expect(entry.patterns).to.match(/^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+$/)
      const [plain22, port2222, ip] = entries
      expect(patternsMatch(plain22.patterns, 'example.com')).to.equal(true)
      expect(patternsMatch(plain22.patterns, 'example.org')).to.equal(false)
      expect(patternsMatch(plain22.patterns, '[example.com]:2222')).to.equal(false)
      expect(patternsMatch(port2222.patterns, '[example.com]:2222')).to.equal(true)
      expect(patternsMatch(port2222.patterns, 'example.com')).to.equal(false)
      expect(patternsMatch(ip.patterns, '203.0.113.10')).to.equal(true)
      // every name ssh-keygen finds in the hashed file, we find too, and the other way round
      for (const name of ['example.com', '[example.com]:2222', '203.0.113.10', 'example.org', '[example.com]:22']) {
        expect(entries.some((e) => patternsMatch(e.patterns, name)), name).to.equal(sshKeygenFinds(file, name))
      }
    })

    it('does not match a malformed hashed pattern', () => {
      expect(patternsMatch('|1|onlysalt', 'example.com')).to.equal(false)
      expect(patternsMatch('|1|', 'example.com')).to.equal(false)
    })
  })

  describe('checkHostKey', () => {
    const line = (patterns: string, key: HostKey, marker = '') => `${marker ? `${marker} ` : ''}${patterns} ${formatHostKey(key)}`

    it('is known when the same key is listed for one of the names', () => {
      const entries = parseKnownHosts(line('example.com', keys.ed25519))
      expect(checkHostKey(entries, ['alias', 'example.com'], keys.ed25519)).to.deep.equal({status: 'known'})
    })

    it('is unknown when the host is not listed', () => {
      const entries = parseKnownHosts([line('other.com', keys.ed25519), line('example.com', keys.rsa)].join('\n'))
      expect(checkHostKey(entries, ['nowhere.com'], keys.ed25519)).to.deep.equal({status: 'unknown'})
    })

    // Regression: only keys of the presented type counted, so a man in the middle offering only RSA
    // to a client that knows the host's ed25519 key got "unknown", which --accept-new-host-key trusts.
    it('is changed when the host is known by a key of another type, listing every known key', () => {
      const entries = parseKnownHosts([line('example.com', keys.ed25519), line('example.com', keys.ecdsa), line('other.com', keys.rsa)].join('\n'))
      for (const presented of [keys.rsa, keys.ed25519b]) {
        const verdict = checkHostKey(entries, ['example.com'], presented)
        expect(verdict.status, presented.type).to.equal('changed')
        expect(verdict.status === 'changed' && verdict.expected.map((k) => k.base64)).to.deep.equal([keys.ed25519.base64, keys.ecdsa.base64])
      }
      expect(checkHostKey(entries, ['example.com'], keys.ecdsa).status).to.equal('known')
    })

    it('is changed for a key of another type on a hashed file too', () => {
      const file = join(dir, 'known_hosts_other_type')
      writeFileSync(file, `${line('example.com', keys.ed25519)}\n`)
      execFileSync('ssh-keygen', ['-H', '-f', file], {stdio: 'ignore'})
      expect(checkHostKey(readKnownHosts(file), ['example.com'], keys.rsa).status).to.equal('changed')
    })

    it('neither a @revoked nor a @cert-authority line makes another key a changed one', () => {
      const entries = parseKnownHosts([line('example.com', keys.ecdsa, '@revoked'), line('example.com', keys.ed25519b, '@cert-authority')].join('\n'))
      expect(checkHostKey(entries, ['example.com'], keys.ed25519)).to.deep.equal({status: 'unknown'})
    })

    it('is changed when the host has a different key of the same type, and says which', () => {
      const entries = parseKnownHosts(line('example.com', keys.ed25519))
      const verdict = checkHostKey(entries, ['example.com'], keys.ed25519b)
      expect(verdict.status).to.equal('changed')
      expect(verdict.status === 'changed' && verdict.expected.map((k) => k.base64)).to.deep.equal([keys.ed25519.base64])
    })

    it('distinguishes ports: a key listed for [host]:2222 is not known for host on 22', () => {
      const entries = parseKnownHosts(line('[example.com]:2222', keys.ed25519))
      expect(checkHostKey(entries, [knownHostsName('example.com', 2222)], keys.ed25519).status).to.equal('known')
      expect(checkHostKey(entries, [knownHostsName('example.com', 22)], keys.ed25519).status).to.equal('unknown')
    })

    it('revoked wins over a plain entry with the same key', () => {
      const entries = parseKnownHosts([line('example.com', keys.ed25519), line('*', keys.ed25519, '@revoked')].join('\n'))
      expect(checkHostKey(entries, ['example.com'], keys.ed25519)).to.deep.equal({status: 'revoked'})
      expect(checkHostKey(entries, ['example.com'], keys.ed25519b).status).to.equal('changed')
    })

    it('ignores @cert-authority lines (the key is not a host key)', () => {
      const entries = parseKnownHosts(line('*.example.com', keys.ed25519, '@cert-authority'))
      expect(checkHostKey(entries, ['web.example.com'], keys.ed25519)).to.deep.equal({status: 'unknown'})
    })

    it('honours negation: a vetoed host is unknown even with a wildcard line for its key', () => {
      const entries = parseKnownHosts(line('*.example.com,!bad.example.com', keys.ed25519))
      expect(checkHostKey(entries, ['good.example.com'], keys.ed25519).status).to.equal('known')
      expect(checkHostKey(entries, ['bad.example.com'], keys.ed25519).status).to.equal('unknown')
    })

    it('works on a file hashed by ssh-keygen -H', () => {
      const file = join(dir, 'known_hosts_check')
      writeFileSync(file, `${line('example.com', keys.ed25519)}\n${line('[example.com]:2222', keys.rsa)}\n`)
      execFileSync('ssh-keygen', ['-H', '-f', file], {stdio: 'ignore'})
      const entries = readKnownHosts(file)
      expect(checkHostKey(entries, ['example.com'], keys.ed25519).status).to.equal('known')
      expect(checkHostKey(entries, ['example.com'], keys.ed25519b).status).to.equal('changed')
      expect(checkHostKey(entries, ['[example.com]:2222'], keys.rsa).status).to.equal('known')
      expect(checkHostKey(entries, ['[example.com]:2222'], keys.ed25519).status).to.equal('changed')
      expect(checkHostKey(entries, ['[example.com]:2200'], keys.ed25519).status).to.equal('unknown')
    })
  })

  describe('knownKeyTypes', () => {
    it('lists the distinct types of unmarked entries for the names', () => {
      const entries = parseKnownHosts([
        `example.com ${formatHostKey(keys.ed25519)}`,
        `example.com ${formatHostKey(keys.rsa)}`,
        `203.0.113.10 ${formatHostKey(keys.ed25519b)}`,
        `@revoked example.com ${formatHostKey(keys.ecdsa)}`,
        `other.com ${formatHostKey(keys.ecdsa)}`,
      ].join('\n'))
      expect(knownKeyTypes(entries, ['example.com', '203.0.113.10'])).to.deep.equal(['ssh-ed25519', 'ssh-rsa'])
      expect(knownKeyTypes(entries, ['nowhere'])).to.deep.equal([])
    })
  })

  describe('readKnownHosts / appendKnownHost', () => {
    it('reads nothing from a missing file', () => {
      expect(readKnownHosts(join(dir, 'does-not-exist'))).to.deep.equal([])
    })

    it('appends entries ssh-keygen can find, creating the directory', () => {
      const file = join(dir, 'new-ssh-dir', 'known_hosts')
      appendKnownHost(file, 'example.com', keys.ed25519)
      appendKnownHost(file, knownHostsName('203.0.113.10', 2222), keys.rsa)
      const entries = readKnownHosts(file)
      expect(entries.map((e) => e.patterns)).to.deep.equal(['example.com', '[203.0.113.10]:2222'])
      expect(checkHostKey(entries, ['example.com'], keys.ed25519).status).to.equal('known')
      expect(sshKeygenFinds(file, 'example.com')).to.equal(true)
      expect(sshKeygenFinds(file, '[203.0.113.10]:2222')).to.equal(true)
      const listed = execFileSync('ssh-keygen', ['-l', '-f', file], {encoding: 'utf8'})
      expect(listed).to.include(fingerprint(keys.ed25519)).and.include(fingerprint(keys.rsa))
    })
  })
})
