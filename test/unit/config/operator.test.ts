import {expect} from 'chai'

import {GIT_PUSH_OPERATOR, operatorName, operatorRecord} from '../../../src/config/operator.js'
import {isValid} from '../../../src/server/rules.js'
import {git, tempDir} from '../support.js'

describe('config/operator', () => {
  it("is git's author in the project: user.name <user.email>", () => {
    const {dir, cleanup} = tempDir()
    try {
      git(dir, 'init', '-q')
      git(dir, 'config', 'user.name', 'Jane Doe')
      git(dir, 'config', 'user.email', 'jane@example.com')
      expect(operatorName(dir)).to.equal('Jane Doe <jane@example.com>')
    } finally {
      cleanup()
    }
  })

  it('always fits the operator rule: one line, nothing a shell or the record could misread', () => {
    expect(operatorRecord('José "Pepe" O\'Brien <j@e.com>\nsecond line')).to.equal('Jos_ _Pepe_ O_Brien <j@e.com>_second line')
    expect(operatorRecord('--rf')).to.equal('rf')
    expect(operatorRecord('')).to.equal('unknown')
    expect(operatorRecord('x'.repeat(500))).to.have.length(120)
    for (const name of ['a$(id)', '`id`', ';', GIT_PUSH_OPERATOR]) expect(isValid('operator', operatorRecord(name)), name).to.equal(true)
  })
})
