import {expect} from 'chai'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {CONFIG_FILE, configPath, readProjectConfig, recordHost} from '../../src/config/project.js'
import {GatlingError} from '../../src/errors.js'
import {tempDir} from './support.js'

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

    it('refuses invalid JSON and a config without hosts', () => {
      writeFileSync(join(dir, CONFIG_FILE), '{"hosts": [')
      expect(() => readProjectConfig(dir)).to.throw(GatlingError, /gatling\.json is not valid JSON/)
      writeFileSync(join(dir, CONFIG_FILE), '{"app": "hello"}')
      expect(() => readProjectConfig(dir)).to.throw(GatlingError, /has no "hosts" list/)
    })
  })

  describe('recordHost', () => {
    it('creates gatling.json with the host when there is none', () => {
      const file = recordHost({address: '203.0.113.10', hostKey: 'ssh-ed25519 AAAA'}, dir)
      expect(file).to.equal(join(dir, CONFIG_FILE))
      expect(read()).to.deep.equal({hosts: [{address: '203.0.113.10', hostKey: 'ssh-ed25519 AAAA'}]})
      expect(readFileSync(file, 'utf8').endsWith('}\n')).to.equal(true)
    })

    it('adds a new host after the existing ones, keeping every other key', () => {
      const original = {app: 'hello', domains: ['example.com'], healthCheck: '/health', keepReleases: 3, envFile: '.env.prod', custom: {nested: [1, 2]}, hosts: [{address: 'a.example.com', port: 2222}]}
      writeFileSync(join(dir, CONFIG_FILE), JSON.stringify(original))
      recordHost({address: 'b.example.com', hostKey: 'ssh-ed25519 BBBB'}, dir)
      expect(read()).to.deep.equal({...original, hosts: [{address: 'a.example.com', port: 2222}, {address: 'b.example.com', hostKey: 'ssh-ed25519 BBBB'}]})
    })

    it('updates an existing host in place, keeping its other fields and the other hosts', () => {
      const original = {app: 'hello', hosts: [{address: 'a.example.com', port: 2222, note: 'primary'}, {address: 'b.example.com'}]}
      writeFileSync(join(dir, CONFIG_FILE), JSON.stringify(original, null, 2))
      recordHost({address: 'a.example.com', hostKey: 'ssh-ed25519 NEW'}, dir)
      expect(read()).to.deep.equal({app: 'hello', hosts: [{address: 'a.example.com', port: 2222, note: 'primary', hostKey: 'ssh-ed25519 NEW'}, {address: 'b.example.com'}]})
      recordHost({address: 'a.example.com', hostKey: 'ssh-ed25519 NEWER'}, dir)
      expect(read().hosts).to.have.length(2)
      expect(read().hosts[0].hostKey).to.equal('ssh-ed25519 NEWER')
    })

    it('drops a port that setup found to be 22 (port: undefined)', () => {
      writeFileSync(join(dir, CONFIG_FILE), JSON.stringify({hosts: [{address: 'a.example.com', port: 2222}]}))
      recordHost({address: 'a.example.com', port: undefined, hostKey: 'k'}, dir)
      expect(read().hosts).to.deep.equal([{address: 'a.example.com', hostKey: 'k'}])
    })

    it('refuses to overwrite a gatling.json it cannot parse', () => {
      writeFileSync(join(dir, CONFIG_FILE), '{not json')
      expect(() => recordHost({address: 'x'}, dir)).to.throw(GatlingError)
      expect(readFileSync(join(dir, CONFIG_FILE), 'utf8')).to.equal('{not json')
    })
  })
})
