import {expect} from 'chai'

import {formatJournalEntry, parseJournalLine} from '../../../src/remote/journal.js'
import {lineSplitter} from '../../../src/remote/lines.js'

describe('remote/journal', () => {
  it("reads journalctl -o json lines: time, the instance (systemd's own lines name it in UNIT), pid, message", () => {
    const app = parseJournalLine(JSON.stringify({__REALTIME_TIMESTAMP: '1764601201123456', _SYSTEMD_UNIT: 'hello@4000.service', _PID: '812', MESSAGE: 'GET / 200'}))
    expect(app).to.deep.equal({time: '2025-12-01T15:00:01.123Z', unit: 'hello@4000.service', pid: 812, message: 'GET / 200'})
    expect(formatJournalEntry(app!)).to.equal('2025-12-01T15:00:01.123Z hello@4000: GET / 200')
    const systemd = parseJournalLine(JSON.stringify({__REALTIME_TIMESTAMP: '1764601201123456', _SYSTEMD_UNIT: 'init.scope', UNIT: 'hello@4001.service', _PID: '1', MESSAGE: 'Started hello@4001.service'}))
    expect(systemd?.unit).to.equal('hello@4001.service')
  })

  it('decodes a MESSAGE that is not UTF-8 text (journalctl gives its bytes), and keeps a line that is not JSON', () => {
    expect(parseJournalLine(JSON.stringify({MESSAGE: [104, 105, 0xc3, 0xa9]}))?.message).to.equal('hié')
    expect(parseJournalLine('-- No entries --')).to.deep.equal({time: '', unit: '', pid: null, message: '-- No entries --'})
    expect(parseJournalLine('  ')).to.equal(undefined)
  })

  it('splits chunks into whole lines, a character cut between chunks included', () => {
    const lines: string[] = []
    const split = lineSplitter((l) => lines.push(l))
    const bytes = Buffer.from('a\nb é\nc')
    split.push(bytes.subarray(0, 5))
    split.push(bytes.subarray(5))
    split.flush()
    expect(lines).to.deep.equal(['a', 'b é', 'c'])
  })
})
