import {expect} from 'chai'

import {auditCommand, lockCommand, lockWait, operator, parseAuditLog, parseLockStatus} from '../../src/operation.js'
import {GatlingError} from '../../src/errors.js'
import {isValid} from '../../src/server/rules.js'

describe('operation: the lock and the audit log', () => {
  const op = {event: 'env' as const, command: 'env set', lockWait: 30}

  it('takes the lock through the deploy tool, with who, where from (the SSH client) and the command', () => {
    expect(lockCommand('hello', op, 'me@laptop').script).to.equal(`/srv/gatling/hello/tools/gatling-deploy lock 30 me@laptop "$(printf '%s' "\${SSH_CLIENT:--}" | cut -d' ' -f1)" 'env set'`)
  })

  it('audits through gatling-root, the version read on the server (current, or what the deploy built since the lock)', () => {
    const current = auditCommand('hello', op, 'ok', 'me@laptop').script
    expect(current).to.match(/^sudo -n \/usr\/local\/sbin\/gatling-root audit hello env ok "\$\(v=\$\(readlink \/srv\/gatling\/hello\/current .* me@laptop "\$\(printf .*\)" 'env set'$/)
    const built = auditCommand('hello', {...op, event: 'deploy', command: 'push', version: 'built'}, 'failed', 'me@laptop').script
    expect(built).to.include('find /srv/gatling/hello/state/vsn -newer /srv/gatling/hello/state/lock.holder')
  })

  it('names the operator by a valid audit name', () => {
    expect(isValid('auditWho', operator())).to.equal(true)
  })

  it('checks --lock-wait', () => {
    expect(lockWait(undefined)).to.equal(0)
    expect(lockWait(600)).to.equal(600)
    expect(() => lockWait(3601)).to.throw(GatlingError, /--lock-wait "3601" is not a whole number of seconds from 0 to 3600/)
  })

  it('reads lock-status and the audit log', () => {
    expect(parseLockStatus('free\t\n')).to.deep.equal({held: false})
    expect(parseLockStatus('held\t123\t120\t2026-12-01T15:00:00Z\tme@laptop\t10.0.0.2\tpush\n')).to.deep.equal({held: true, holder: {pid: 123, since: '2026-12-01T15:00:00Z', who: 'me@laptop', from: '10.0.0.2', command: 'push'}})
    expect(parseAuditLog('2026-12-01T15:00:00Z\tdeploy\tok\t0.1.0+2\tme@laptop\t10.0.0.2\tpush\tgatling\n')).to.deep.equal([{time: '2026-12-01T15:00:00Z', event: 'deploy', result: 'ok', version: '0.1.0+2', who: 'me@laptop', from: '10.0.0.2', command: 'push', user: 'gatling'}])
  })
})
