import {expect} from 'chai'

import {changedKeys, checkEnvValue, mergeLocalEnv, parseAssignments, parseServerEnv, renderServerEnv, setEnv, unsetEnv} from '../../../src/config/server-env.js'
import {GatlingError} from '../../../src/errors.js'
import {hostileStrings} from '../../helpers/hostile.js'
import {systemdEnvironmentFile} from '../support.js'

describe('config/server-env', () => {
  const storable = hostileStrings().filter(({value}) => !/[\0\r]/.test(value) && !/\p{Cs}/u.test(value))

  it('reads back every storable hostile value byte for byte, as systemd reads the file', () => {
    const entries = storable.map(({value}, i): [string, string] => [`V${i}`, value])
    const text = renderServerEnv('hello', '/home/me/.env.production', {entries, kept: ['V1', 'V3']})
    expect(parseServerEnv(text)).to.deep.equal({entries, kept: ['V1', 'V3']})
    expect(parseServerEnv(text.trim()), 'as the SSH layer hands it over, trimmed').to.deep.equal({entries, kept: ['V1', 'V3']})
    expect(systemdEnvironmentFile(text)).to.deep.equal(Object.fromEntries(entries))
  })

  it('names the kept keys in a comment above every value, and an empty file has none', () => {
    const text = renderServerEnv('hello', 'gatling env set', {entries: [['A', 'x\n# kept by gatling push unless the local env file sets them (gatling env set): B'], ['B', '1']], kept: ['A']})
    expect(text.split('\n')[1]).to.equal('# kept by gatling push unless the local env file sets them (gatling env set): A')
    expect(parseServerEnv(text).kept).to.deep.equal(['A'])
    expect(parseServerEnv('')).to.deep.equal({entries: [], kept: []})
    expect(() => parseServerEnv('A=unquoted\n')).to.throw(GatlingError, /not as gatling writes it/)
  })

  it('set replaces in place or appends, and keeps; unset removes from both', () => {
    const env = {entries: [['A', '1'], ['B', '2']] as Array<[string, string]>, kept: []}
    const set = setEnv(env, [['B', 'two'], ['C', '3']])
    expect(set).to.deep.equal({entries: [['A', '1'], ['B', 'two'], ['C', '3']], kept: ['B', 'C']})
    expect(changedKeys(env, set)).to.deep.equal(['B', 'C'])
    const unset = unsetEnv(set, ['C', 'A'])
    expect(unset).to.deep.equal({entries: [['B', 'two']], kept: ['B']})
    expect(changedKeys(set, unset)).to.deep.equal(['A', 'C'])
    expect(changedKeys(unset, unset)).to.deep.equal([])
  })

  it("a push's environment: the local file, plus the kept keys it does not set (those it sets: its value wins)", () => {
    const server = {entries: [['LOCAL', 'old'], ['KEPT', 'server'], ['SHADOWED', 'server'], ['GONE', 'was local']] as Array<[string, string]>, kept: ['KEPT', 'SHADOWED']}
    const {env, overridden} = mergeLocalEnv([['LOCAL', 'new'], ['SHADOWED', 'local']], server)
    expect(env).to.deep.equal({entries: [['LOCAL', 'new'], ['SHADOWED', 'local'], ['KEPT', 'server']], kept: ['KEPT']})
    expect(overridden).to.deep.equal(['SHADOWED'])
  })

  it('takes KEY=VALUE with the first "=" ending the key, and refuses what it cannot store, naming it', () => {
    expect(parseAssignments(['A=b=c', 'E=', 'N=a\nb'])).to.deep.equal([['A', 'b=c'], ['E', ''], ['N', 'a\nb']])
    const refused: Array<[string[], RegExp]> = [
      [[], /at least one KEY=VALUE/],
      [['NOEQUALS'], /^"NOEQUALS" has no "="/],
      [['1A=x'], /^"1A" is not an environment variable name/],
      [['A B=x'], /is not an environment variable name/],
      [['PORT=1'], /^PORT is set by gatling itself/],
      [['RELEASE_COOKIE=x'], /^RELEASE_COOKIE is set by gatling itself/],
      [['A=1', 'A=2'], /^A is given twice/],
      [['A=a\rb'], /carriage return/],
      [['A=a\0b'], /NUL/],
    ]
    for (const [args, error] of refused) expect(() => parseAssignments(args), args.join(' ')).to.throw(GatlingError, error)
    expect(() => checkEnvValue('A', 'a\ud800')).to.throw(GatlingError, /lone surrogate/)
  })
})
