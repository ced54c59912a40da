import {expect} from 'chai'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {CONFIG_FILE, configPath, databaseSettings, pinnedHostKey, readProjectConfig, recordDomains, recordHost, validateProjectConfig} from '../../../src/config/project.js'
import {GatlingError} from '../../../src/errors.js'
import {fakeHostKey, tempDir} from '../support.js'

const KEY_A = fakeHostKey(1)
const KEY_B = fakeHostKey(2)

/** The GatlingError message validateProjectConfig throws for a config (fails the test when it accepts it). */
function refusal(raw: unknown): string {
  try {
    validateProjectConfig(raw, () => {})
  } catch (error) {
    expect(error).to.be.instanceOf(GatlingError)
    return (error as Error).message
  }
  expect.fail(`accepted ${JSON.stringify(raw)}`)
}

function warnings(raw: unknown): string[] {
  const seen: string[] = []
  validateProjectConfig(raw, (message) => seen.push(message))
  return seen
}

describe('config/project', () => {
  let dir: string
  let cleanup: () => void
  beforeEach(() => ({dir, cleanup} = tempDir('gatling-unit-project-')))
  afterEach(() => cleanup())

  const read = () => JSON.parse(readFileSync(join(dir, CONFIG_FILE), 'utf8'))

  describe('readProjectConfig', () => {
    it('is undefined without gatling.json', () => {
      expect(readProjectConfig(dir)).to.equal(undefined)
      expect(configPath(dir)).to.equal(join(dir, 'gatling.json'))
    })

    it('refuses invalid JSON', () => {
      writeFileSync(join(dir, CONFIG_FILE), '{"hosts": [')
      expect(() => readProjectConfig(dir)).to.throw(GatlingError, /gatling\.json is not valid JSON/)
    })

    it('reads a full config, and one written before setup (no hosts yet)', () => {
      const full = {app: 'hello', hosts: [{address: 'web-1.example.com', port: 2222, hostKey: KEY_A}], domains: ['example.com', '*.example.org'], healthCheck: '/health', keepReleases: 3, envFile: '.env.prod'}
      writeFileSync(join(dir, CONFIG_FILE), JSON.stringify(full))
      expect(readProjectConfig(dir)).to.deep.equal(full)
      writeFileSync(join(dir, CONFIG_FILE), '{"app": "hello"}')
      expect(readProjectConfig(dir)).to.deep.equal({app: 'hello'})
    })

    it('hands each unknown key to warn, with the closest known key', () => {
      writeFileSync(join(dir, CONFIG_FILE), JSON.stringify({helthCheck: '/up', hosts: [{address: 'h', adress: 'x'}]}))
      const seen: string[] = []
      expect(readProjectConfig(dir, (m) => seen.push(m))).to.deep.equal({hosts: [{address: 'h'}]})
      expect(seen).to.deep.equal([
        'gatling.json: unknown key "helthCheck" is ignored: did you mean healthCheck?',
        'gatling.json: unknown key "hosts[0].adress" is ignored: did you mean address?',
      ])
    })
  })

  describe('validateProjectConfig: wrong values', () => {
    it('names the key, what it must be and what it is', () => {
      expect(refusal({keepReleases: 'five'})).to.equal('gatling.json: "keepReleases" must be a whole number from 1 to 100, not "five".')
      expect(refusal({keepReleases: 0})).to.equal('gatling.json: "keepReleases" must be a whole number from 1 to 100, not 0.')
      expect(refusal({keepReleases: 2.5})).to.match(/"keepReleases" must be a whole number from 1 to 100, not 2\.5\.$/)
      expect(refusal({keepReleases: 101})).to.match(/not 101\.$/)
      expect(refusal({hosts: [{address: 'a.example.com', port: '22'}]})).to.equal('gatling.json: "hosts[0].port" must be an SSH port (a whole number from 1 to 65535), not "22".')
      expect(refusal({hosts: [{address: 'a.example.com', port: 70000}]})).to.match(/"hosts\[0\]\.port" must be an SSH port .*, not 70000\.$/)
      expect(refusal({hosts: [{port: 22}]})).to.equal('gatling.json: "hosts[0].address" is missing: it must be a host name, an IP address or a Host alias from ~/.ssh/config.')
      expect(refusal({hosts: {address: 'a'}})).to.match(/"hosts" must be a list of servers like \[\{"address": "203\.0\.113\.10"\}\], not an object\.$/)
      expect(refusal({hosts: ['a.example.com']})).to.match(/"hosts\[0\]" must be a server like \{"address": "203\.0\.113\.10"\}, not "a\.example\.com"\.$/)
      expect(refusal([])).to.match(/^gatling\.json: it must be a JSON object like .*, not a list\.$/)
      expect(refusal(null)).to.match(/, not null\.$/)
    })

    it('checks every value with the server rules: app, domains, healthCheck', () => {
      expect(refusal({app: 'My-App'})).to.match(/^gatling\.json: "app" must be lower-case letters, digits and _ \(at most 31\), starting with a letter, not "My-App"\.$/)
      expect(refusal({domains: 'example.com'})).to.match(/"domains" must be a list of host names like \["example\.com"\], not "example\.com"\.$/)
      expect(refusal({domains: ['example.com', 'bad domain']})).to.match(/"domains\[1\]" must be a host name like example\.com .*, at most 253 characters, not "bad domain"\.$/)
      const long = `${`${'a'.repeat(60)}.`.repeat(5)}com` // every label is fine, the whole is too long
      expect(refusal({domains: [long]})).to.match(/"domains\[0\]" must be .*, at most 253 characters, not "a{60}"… \(308 characters\)\.$/)
      expect(refusal({healthCheck: 'health'})).to.match(/"healthCheck" must be a plain path like \/health .*, not "health"\.$/)
      expect(refusal({healthCheck: '/up$(id)'})).to.match(/"healthCheck" must be a plain path/)
    })

    it('checks hosts[].address and hostKey', () => {
      expect(refusal({hosts: [{address: '-oProxyCommand=x'}]})).to.match(/"hosts\[0\]\.address" must be a host name, an IP address or a Host alias from ~\/\.ssh\/config, not "-oProxyCommand=x"\.$/)
      expect(refusal({hosts: [{address: 'a.example.com', hostKey: 'ssh-ed25519 NOTAKEY'}]})).to.match(/"hosts\[0\]\.hostKey" must be an SSH host key like "ssh-ed25519 AAAA…", not "ssh-ed25519 NOTAKEY"\.$/)
      // the blob says ssh-ed25519: the line may not call it ssh-rsa
      expect(refusal({hosts: [{address: 'a.example.com', hostKey: KEY_A.replace('ssh-ed25519', 'ssh-rsa')}]})).to.match(/"hosts\[0\]\.hostKey" must be an SSH host key/)
      expect(refusal({hosts: [{address: 'a.example.com', hostKey: `${KEY_A}\n${KEY_B}`}]})).to.match(/"hosts\[0\]\.hostKey" must be an SSH host key/)
    })

    it('refuses an envFile that is not one line of text', () => {
      for (const bad of ['', '.env\nPORT=1', '.env\r', '.env\0x']) expect(refusal({envFile: bad}), JSON.stringify(bad)).to.match(/^gatling\.json: "envFile" must be a file path on one line, not ".*"\.$/)
      expect(refusal({envFile: 5})).to.equal('gatling.json: "envFile" must be a file path on one line, not 5.')
    })

    it('reports every wrong value in one paragraph, escaping what it quotes', () => {
      const message = refusal({app: 'a\nb', keepReleases: true, healthCheck: '/\u202Egp'})
      expect(message.split('; ')).to.have.length(3)
      expect(message).to.not.match(/[\n\u202E]/)
      expect(message).to.include('"a\\nb"').and.include('not true').and.include('"/\\u202egp"')
    })
  })

  describe('validateProjectConfig: database', () => {
    it('reads "postgres" and {"backups": DAYS}', () => {
      expect(databaseSettings(validateProjectConfig({database: 'postgres'}, () => {}))).to.deep.equal({})
      expect(databaseSettings(validateProjectConfig({database: {backups: 7}}, () => {}))).to.deep.equal({backups: 7})
      expect(databaseSettings(validateProjectConfig({database: {engine: 'postgres', backups: 365}}, () => {}))).to.deep.equal({backups: 365})
      expect(databaseSettings(validateProjectConfig({}, () => {}))).to.equal(undefined)
    })

    it('refuses another engine, and backups that are no number of days', () => {
      for (const database of ['mysql', true, [], {engine: 'mysql'}, {backups: '7'}]) {
        expect(refusal({database}), JSON.stringify(database)).to.match(/^gatling\.json: "database" must be "postgres" or an object like \{"engine": "postgres", "backups": 7\}/)
      }
      for (const backups of [0, 366, 1.5]) expect(refusal({database: {backups}}), String(backups)).to.contain('"database.backups" must be a whole number of days from 1 to 365')
    })

    it('warns about an unknown key under database', () => {
      const warnings: string[] = []
      validateProjectConfig({database: {backup: 7}}, (w) => warnings.push(w))
      expect(warnings).to.deep.equal(['gatling.json: unknown key "database.backup" is ignored: did you mean backups?'])
    })
  })

  describe('validateProjectConfig: build.env', () => {
    it('reads environment variables for the build (mirrors, local asset tools)', () => {
      const env = {HEX_MIRROR: 'https://hex.example.com', HEX_BUILDS_URL: 'http://127.0.0.1:9/', MIX_ESBUILD_PATH: '/usr/bin/esbuild', _x: ''}
      expect(validateProjectConfig({build: {env}}, () => {})).to.deep.equal({build: {env}})
      expect(validateProjectConfig({build: {}}, () => {})).to.deep.equal({build: {}})
    })

    it('refuses a key that is no variable name, or one gatling sets for the build', () => {
      expect(refusal({build: {env: {'1BAD': 'x'}}})).to.equal('gatling.json: "build.env" has the key "1BAD": a key must be an environment variable name (letters, digits and _, not starting with a digit), not one gatling sets for the build (MIX_ENV, LANG, MIX_REBAR3, PATH).')
      for (const key of ['MIX_ENV', 'LANG', 'MIX_REBAR3', 'A-B', 'A B', '']) expect(refusal({build: {env: {[key]: 'x'}}})).to.contain(`has the key ${JSON.stringify(key)}`)
    })

    it('refuses a value that is not one line of text', () => {
      expect(refusal({build: {env: {HEX_MIRROR: 'https://a\nb'}}})).to.equal('gatling.json: "build.env.HEX_MIRROR" must be a text on one line, not "https://a\\nb".')
      expect(refusal({build: {env: {HEX_MIRROR: 1}}})).to.contain('"build.env.HEX_MIRROR" must be a text on one line, not 1')
      expect(refusal({build: {env: ['HEX_MIRROR=x']}})).to.contain('"build.env" must be an object of environment variables')
      expect(refusal({build: 'HEX_MIRROR=x'})).to.contain('"build" must be an object like {"env": {"HEX_MIRROR": "https://hex.example.com"}}')
    })

    it('warns about an unknown key under build', () => {
      expect(warnings({build: {envs: {}}})).to.deep.equal(['gatling.json: unknown key "build.envs" is ignored: did you mean env?'])
    })
  })

  describe('validateProjectConfig: unknown keys', () => {
    it('warns with the closest known key, whatever its case and _ or -', () => {
      expect(warnings({keep_releases: 3, Domains: [], 'env-file': '.env', hosts: []})).to.deep.equal([
        'gatling.json: unknown key "keep_releases" is ignored: did you mean keepReleases?',
        'gatling.json: unknown key "Domains" is ignored: did you mean domains?',
        'gatling.json: unknown key "env-file" is ignored: did you mean envFile?',
      ])
      expect(warnings({hosts: [{address: 'a', hostkey: KEY_A}, {address: 'b', prot: 22}]})).to.deep.equal([
        'gatling.json: unknown key "hosts[0].hostkey" is ignored: did you mean hostKey?',
        'gatling.json: unknown key "hosts[1].prot" is ignored: did you mean port?',
      ])
    })

    it('suggests nothing when no key is close', () => {
      expect(warnings({comment: 'x', zzz: 1})).to.deep.equal(['gatling.json: unknown key "comment" is ignored', 'gatling.json: unknown key "zzz" is ignored'])
      expect(warnings({app: 'hello', hosts: [{address: 'a.example.com'}]})).to.deep.equal([])
    })
  })

  describe('pinnedHostKey', () => {
    it('is the hostKey of the host with that address', () => {
      const config = {hosts: [{address: 'a.example.com', hostKey: KEY_A}, {address: 'b.example.com'}]}
      expect(pinnedHostKey(config, 'a.example.com')).to.equal(KEY_A)
      expect(pinnedHostKey(config, 'b.example.com')).to.equal(undefined)
      expect(pinnedHostKey(config, 'c.example.com')).to.equal(undefined)
      expect(pinnedHostKey(undefined, 'a.example.com')).to.equal(undefined)
    })
  })

  describe('recordHost', () => {
    it('creates gatling.json with the host when there is none', () => {
      const file = recordHost({address: '203.0.113.10', hostKey: KEY_A}, dir)
      expect(file).to.equal(join(dir, CONFIG_FILE))
      expect(read()).to.deep.equal({hosts: [{address: '203.0.113.10', hostKey: KEY_A}]})
      expect(readFileSync(file, 'utf8').endsWith('}\n')).to.equal(true)
    })

    it('adds a new host after the existing ones, keeping every other key (unknown ones too)', () => {
      const original = {app: 'hello', domains: ['example.com'], healthCheck: '/health', keepReleases: 3, envFile: '.env.prod', custom: {nested: [1, 2]}, hosts: [{address: 'a.example.com', port: 2222}]}
      writeFileSync(join(dir, CONFIG_FILE), JSON.stringify(original))
      recordHost({address: 'b.example.com', hostKey: KEY_B}, dir)
      expect(read()).to.deep.equal({...original, hosts: [{address: 'a.example.com', port: 2222}, {address: 'b.example.com', hostKey: KEY_B}]})
    })

    it('adds hosts to a gatling.json written before setup', () => {
      writeFileSync(join(dir, CONFIG_FILE), JSON.stringify({app: 'hello', domains: ['example.com']}))
      recordHost({address: 'a.example.com', hostKey: KEY_A}, dir)
      expect(read()).to.deep.equal({app: 'hello', domains: ['example.com'], hosts: [{address: 'a.example.com', hostKey: KEY_A}]})
    })

    it('pins a key on an existing host in place, keeping its other fields and the other hosts', () => {
      const original = {app: 'hello', hosts: [{address: 'a.example.com', port: 2222, note: 'primary'}, {address: 'b.example.com'}]}
      writeFileSync(join(dir, CONFIG_FILE), JSON.stringify(original, null, 2))
      recordHost({address: 'a.example.com', hostKey: KEY_A}, dir)
      expect(read()).to.deep.equal({app: 'hello', hosts: [{address: 'a.example.com', port: 2222, note: 'primary', hostKey: KEY_A}, {address: 'b.example.com'}]})
    })

    it('keeps the pin as the user wrote it when the same key comes again', () => {
      writeFileSync(join(dir, CONFIG_FILE), JSON.stringify({hosts: [{address: 'a.example.com', hostKey: `${KEY_A} root@web`}]}))
      recordHost({address: 'a.example.com', hostKey: KEY_A}, dir)
      expect(read().hosts).to.deep.equal([{address: 'a.example.com', hostKey: `${KEY_A} root@web`}])
    })

    it('never replaces a pin with another key: refused, both fingerprints named, the file unchanged', () => {
      const text = JSON.stringify({hosts: [{address: 'a.example.com', hostKey: KEY_A}]})
      writeFileSync(join(dir, CONFIG_FILE), text)
      expect(() => recordHost({address: 'a.example.com', hostKey: KEY_B}, dir)).to.throw(GatlingError, /pins the host key ssh-ed25519 SHA256:\S+ for a\.example\.com, not ssh-ed25519 SHA256:\S+: the pin was left as it is/)
      expect(readFileSync(join(dir, CONFIG_FILE), 'utf8')).to.equal(text)
    })

    it('drops a port that setup found to be 22 (port: undefined)', () => {
      writeFileSync(join(dir, CONFIG_FILE), JSON.stringify({hosts: [{address: 'a.example.com', port: 2222}]}))
      recordHost({address: 'a.example.com', port: undefined, hostKey: KEY_A}, dir)
      expect(read().hosts).to.deep.equal([{address: 'a.example.com', hostKey: KEY_A}])
    })

    it('refuses to overwrite a gatling.json it cannot parse or that has a wrong value', () => {
      for (const text of ['{not json', '{"keepReleases": "five"}']) {
        writeFileSync(join(dir, CONFIG_FILE), text)
        expect(() => recordHost({address: 'x'}, dir)).to.throw(GatlingError)
        expect(readFileSync(join(dir, CONFIG_FILE), 'utf8')).to.equal(text)
      }
    })
  })

  describe('recordDomains', () => {
    it('sets the domains, keeping every other key as written', () => {
      const {dir, cleanup} = tempDir()
      try {
        writeFileSync(join(dir, CONFIG_FILE), '{"hosts": [{"address": "203.0.113.10"}], "tls": {"email": "ops@example.com"}, "custom": 1}\n')
        recordDomains(['example.com', 'www.example.com'], dir)
        expect(JSON.parse(readFileSync(join(dir, CONFIG_FILE), 'utf8'))).to.deep.equal({hosts: [{address: '203.0.113.10'}], tls: {email: 'ops@example.com'}, custom: 1, domains: ['example.com', 'www.example.com']})
        expect(() => recordDomains(['exa_mple.com'], dir)).to.throw(GatlingError)
      } finally {
        cleanup()
      }
    })
  })
})
