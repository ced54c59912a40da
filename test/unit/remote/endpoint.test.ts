import {expect} from 'chai'
import {writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'

import {defaultIdentityFiles, describeEndpoint, parseTarget, resolveEndpoint} from '../../../src/remote/endpoint.js'
import {GatlingError} from '../../../src/errors.js'
import {tempDir} from '../support.js'

const SSH_CONFIG = `
Host web
  HostName 203.0.113.5
  User deploy
  Port 2222
  IdentityFile ~/.ssh/web_key
  IdentityFile /keys/second
  ProxyJump bastion

Host bastion
  HostName bastion.example.com
  User jump
  IdentityFile /keys/bastion

Host plain
  HostName plain.example.com

Host chained
  HostName 10.0.0.9
  ProxyJump web

Host nojump
  HostName 10.0.0.10
  ProxyJump none

Host *.internal
  User internal-user
  Port 2200
`

describe('remote/endpoint', () => {
  describe('parseTarget', () => {
    it('reads USER@HOST, HOST, HOST:PORT and USER@HOST:PORT', () => {
      expect(parseTarget('root@203.0.113.10')).to.deep.equal({user: 'root', host: '203.0.113.10', port: undefined})
      expect(parseTarget('example.com')).to.deep.equal({user: undefined, host: 'example.com', port: undefined})
      expect(parseTarget('example.com:2222')).to.deep.equal({user: undefined, host: 'example.com', port: 2222})
      expect(parseTarget('deploy@web-1.example.com:22')).to.deep.equal({user: 'deploy', host: 'web-1.example.com', port: 22})
      expect(parseTarget('  root@host  ')).to.deep.equal({user: 'root', host: 'host', port: undefined})
    })

    it('reads bracketed IPv6 addresses, with and without a port', () => {
      expect(parseTarget('root@[2001:db8::1]:2222')).to.deep.equal({user: 'root', host: '2001:db8::1', port: 2222})
      expect(parseTarget('[::1]')).to.deep.equal({user: undefined, host: '::1', port: undefined})
    })

    const refuses = (target: string, message: RegExp) => {
      let error: unknown
      try {
        parseTarget(target)
      } catch (error_) {
        error = error_
      }
      expect(error, target).to.be.instanceOf(GatlingError)
      expect((error as Error).message, target).to.match(message)
    }

    it('refuses garbled targets with an example of the right form', () => {
      for (const target of ['', '   ', 'root@', '@host', 'a@b@c', 'root@host:', 'root@host:port', 'host:22:33', 'root @host', 'root@ho st'])
        refuses(target, /is not a server address\. Write it as USER@HOST, HOST or HOST:PORT, for example root@203\.0\.113\.10\./)
    })

    it('refuses a URL instead of a target', () => {
      refuses('ssh://root@host', /"ssh:\/\/root" is not a valid user name/)
    })

    it('refuses invalid user names, naming the user', () => {
      refuses('1root@host', /"1root" is not a valid user name in "1root@host"/)
      refuses('ro;ot@host', /"ro;ot" is not a valid user name/)
      refuses(`${'a'.repeat(33)}@host`, /is not a valid user name/)
    })

    it('refuses invalid host names, naming the host', () => {
      refuses('root@-bad.example.com', /"-bad\.example\.com" is not a valid host name or address/)
      refuses('root@bad..example.com', /is not a valid host name or address/)
      refuses('root@host;rm', /"host;rm" is not a valid host name or address/)
      refuses('root@$(id)', /is not a valid host name or address/)
      refuses(`root@${'a'.repeat(64)}.com`, /is not a valid host name or address/)
    })

    it('refuses ports out of range', () => {
      refuses('root@host:0', /Port 0 in "root@host:0" is out of range \(1-65535\)/)
      refuses('root@host:65536', /Port 65536 .* out of range/)
      expect(parseTarget('root@host:65535').port).to.equal(65535)
      expect(parseTarget('root@host:1').port).to.equal(1)
    })
  })

  describe('resolveEndpoint', () => {
    let dir: string
    let cleanup: () => void
    let config: string

    before(() => {
      ;({dir, cleanup} = tempDir('gatling-unit-endpoint-'))
      config = join(dir, 'config')
      writeFileSync(config, SSH_CONFIG)
    })
    after(() => cleanup())

    it('completes an alias from the ssh config: HostName, User, Port, IdentityFile, ProxyJump', () => {
      const endpoint = resolveEndpoint('web', {}, config)
      expect(endpoint).to.deep.include({alias: 'web', host: '203.0.113.5', port: 2222, user: 'deploy'})
      expect(endpoint.identityFiles).to.deep.equal([join(homedir(), '.ssh/web_key'), '/keys/second'])
      expect(endpoint.proxyJump).to.deep.equal({alias: 'bastion', host: 'bastion.example.com', port: 22, user: 'jump', identityFiles: ['/keys/bastion'], proxyJump: undefined})
      expect(describeEndpoint(endpoint)).to.equal('deploy@web:2222')
    })

    it('lets the target and the overrides win over the config', () => {
      expect(resolveEndpoint('admin@web:2200', {}, config)).to.deep.include({user: 'admin', port: 2200, host: '203.0.113.5'})
      const overridden = resolveEndpoint('admin@web:2200', {user: 'ops', port: 2022, identity: '/keys/mine'}, config)
      expect(overridden).to.deep.include({user: 'ops', port: 2022, host: '203.0.113.5', identityFiles: ['/keys/mine']})
      // the identity override also applies to the jump host
      expect(overridden.proxyJump?.identityFiles).to.deep.equal(['/keys/mine'])
    })

    it('applies wildcard Host blocks', () => {
      expect(resolveEndpoint('db.internal', {}, config)).to.deep.include({alias: 'db.internal', host: 'db.internal', user: 'internal-user', port: 2200})
    })

    it('falls back to root, port 22 and the default keys', () => {
      const endpoint = resolveEndpoint('plain', {}, config)
      expect(endpoint).to.deep.include({alias: 'plain', host: 'plain.example.com', port: 22, user: 'root', proxyJump: undefined})
      expect(endpoint.identityFiles).to.deep.equal(defaultIdentityFiles())
      expect(describeEndpoint(endpoint)).to.equal('root@plain')
    })

    it('works without any ssh config file', () => {
      const endpoint = resolveEndpoint('deploy@198.51.100.7:2022', {}, join(dir, 'missing-config'))
      expect(endpoint).to.deep.include({alias: '198.51.100.7', host: '198.51.100.7', port: 2022, user: 'deploy', proxyJump: undefined})
    })

    it('treats ProxyJump none as no jump host', () => {
      expect(resolveEndpoint('nojump', {}, config).proxyJump).to.equal(undefined)
    })

    it('refuses jump chains longer than one hop', () => {
      expect(() => resolveEndpoint('chained', {}, config)).to.throw(GatlingError, /ProxyJump chains longer than one hop are not supported/)
    })

    it('refuses a HostName it cannot use, naming the alias and the config file', () => {
      const file = join(dir, 'config-bad-hostname')
      writeFileSync(file, 'Host tokens\n  HostName %h.internal\n\nHost option\n  HostName -oProxyCommand=x\n')
      expect(() => resolveEndpoint('tokens', {}, file)).to.throw(GatlingError, /config-bad-hostname gives "tokens" the HostName "%h\.internal", which is not a host name or address gatling can use \(tokens like %h are not supported\)/)
      expect(() => resolveEndpoint('option', {}, file)).to.throw(GatlingError, /the HostName "-oProxyCommand=x"/)
    })

    it('rejects a garbled target before reading the config', () => {
      expect(() => resolveEndpoint('root@@web', {}, config)).to.throw(GatlingError, /is not a server address/)
    })
  })
})
