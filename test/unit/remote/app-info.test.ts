import {expect} from 'chai'

import {formatBytes, formatUptime, parseReleases, parseStatus} from '../../../src/remote/app-info.js'
import {deployContext} from '../support.js'

const RELEASES = `current 0.1.0+3
release 0.1.0+3
version=0.1.0+3
commit=${'c'.repeat(40)}
time=2026-12-01T15:00:00Z
by=Jane Doe <jane@example.com>
how=hot
path=hot
release 0.1.0+2
version=0.1.0+2
commit=${'b'.repeat(40)}
time=2026-12-01T14:00:00Z
by=git push
how=rollback
path=restart
release 0.1.0+1
`

describe('remote/app-info', () => {
  it("parses gatling-deploy releases: each kept release with its record, the current one marked, a missing record as nulls", () => {
    expect(parseReleases(RELEASES)).to.deep.equal([
      {version: '0.1.0+3', current: true, commit: 'c'.repeat(40), time: '2026-12-01T15:00:00Z', by: 'Jane Doe <jane@example.com>', how: 'hot', path: 'hot'},
      {version: '0.1.0+2', current: false, commit: 'b'.repeat(40), time: '2026-12-01T14:00:00Z', by: 'git push', how: 'rollback', path: 'restart'},
      {version: '0.1.0+1', current: false, commit: null, time: null, by: null, how: null, path: null},
    ])
    expect(parseReleases('current \n')).to.deep.equal([])
  })

  it('ignores fields no record has, and a value with "=" stays whole', () => {
    const [r] = parseReleases('current x\nrelease x\nby=a=b\nevil=1\nversion=y\n')
    expect(r).to.deep.equal({version: 'x', current: true, commit: null, time: null, by: 'a=b', how: null, path: null})
  })

  const STATUS = 'current 0.1.0+3\nupstream 4001 primary\nupstream 4000 backup\ninstance 4000 active 812 7200 90000 0.1.0+2\ninstance 4001 active 977 60 81920 0.1.0+3\nhealth 200\n'
  const now = Date.parse('2026-12-01T16:00:00Z')

  it('parses gatling-deploy status: both instances during a switch, pid, start time, RSS in bytes, health', () => {
    const report = parseStatus(deployContext(), STATUS, parseReleases(RELEASES), now)
    expect(report).to.deep.include({app: 'hello', host: '203.0.113.10', current: '0.1.0+3', version: '0.1.0+3', commit: 'c'.repeat(40), health: {path: '/health', status: 200, ok: true}})
    expect(report.instances).to.deep.equal([
      {port: 4000, state: 'active', pid: 812, startedAt: '2026-12-01T14:00:00.000Z', uptimeSeconds: 7200, rssBytes: 90000 * 1024, version: '0.1.0+2', serving: 'backup'},
      {port: 4001, state: 'active', pid: 977, startedAt: '2026-12-01T15:59:00.000Z', uptimeSeconds: 60, rssBytes: 81920 * 1024, version: '0.1.0+3', serving: 'primary'},
    ])
    // the record says hot at 15:00, but this OS process started at 15:59: it was restarted since
    expect(report).to.deep.include({mode: 'restarted', since: '2026-12-01T15:59:00.000Z'})
  })

  it('hot: the node took its release in place after its process started; not running: no version, nulls', () => {
    const hot = parseStatus(deployContext(), 'current 0.1.0+3\nupstream 4000 primary\ninstance 4000 active 812 7200 90000 0.1.0+3\ninstance 4001 inactive 0 - - -\nhealth 200\n', parseReleases(RELEASES), now)
    expect(hot).to.deep.include({mode: 'hot', since: '2026-12-01T15:00:00Z', version: '0.1.0+3'})
    expect(hot.instances[1]).to.deep.equal({port: 4001, state: 'inactive', pid: null, startedAt: null, uptimeSeconds: null, rssBytes: null, version: null, serving: null})
    const stopped = parseStatus(deployContext(), 'current 0.1.0+3\nupstream 4000 primary\ninstance 4000 inactive 0 - - -\ninstance 4001 inactive 0 - - -\nhealth 502\n', [], now)
    expect(stopped).to.deep.include({version: null, commit: null, mode: null, since: null, health: {path: '/health', status: 502, ok: false}})
    expect(stopped.instances.map((i) => i.serving)).to.deep.equal([null, null])
  })

  it('formats uptime and memory for people', () => {
    expect([formatUptime(42), formatUptime(61), formatUptime(3_700), formatUptime(90_061)]).to.deep.equal(['42s', '1m 1s', '1h 1m', '1d 1h 1m'])
    expect([formatBytes(104_857_600), formatBytes(3 * (1 << 30))]).to.deep.equal(['100.0 MiB', '3.0 GiB'])
  })
})
