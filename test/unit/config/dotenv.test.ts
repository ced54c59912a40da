import {expect} from 'chai'
import {parse} from 'dotenv'

import {parseDotenv} from '../../../src/config/dotenv.js'
import {GatlingError} from '../../../src/errors.js'

const refusal = (text: string): string => {
  try {
    parseDotenv(text, '.env.production')
  } catch (error) {
    expect(error).to.be.instanceOf(GatlingError)
    return (error as Error).message
  }
  expect.fail(`accepted ${JSON.stringify(text)}`)
}

describe('config/dotenv: the strict dotenv reader', () => {
  // each file: what dotenv.parse makes of it is what the app gets
  const files: Record<string, string> = {
    'plain values, spaces around =, export': 'A=1\nB = two words \nexport C=3\n\tD=tab\n',
    'comments and blank lines': '# comment\n\n   \n  # indented comment\nA=1 # trailing comment\nB=2\t# after a tab\n',
    'empty values': 'A=\nB=""\nC=\'\'\nD=   \n',
    'quotes of three kinds, keeping what is inside': `S='single "double" \`back\`'\nD="double 'single' \`back\`"\nB=\`back 'single' "double"\`\n`,
    '# = $ and spaces inside quotes': `A="a # not a comment"\nB='x=y=z'\nC="$HOME \${X} $(id) \`id\`"\nD='  padded  '\n`,
    'dotenv newlines: \\n and \\r in double quotes only': 'PEM="-----BEGIN-----\\nabc\\n-----END-----"\nCRLF="a\\r\\nb"\nRAW=\'a\\nb\'\nTICK=`a\\nb`\n',
    'multi-line quoted values': 'A="line 1\nline 2\n  line 3"\nB=\'x\n#not a comment\ny\'\nC=after\n',
    'CRLF line endings': 'A=1\r\nB="two"\r\n# c\r\nC=3\r\n',
    'unicode': 'A=é ü 漢字 🚀\nB="\u200Bzero-width \u202Ertl"\nC=\'ﬁ\'\n',
    'backslashes elsewhere': 'A=C:\\dir\\n\nB="a\\\\b"\nC=\'a\\b\'\n',
    'quotes inside an unquoted value': 'A=it\'s\nB=say "hi"\nC=a`b\n',
    'a closing quote followed by a comment': 'A="x" # note\nB=\'y\'#note\n',
    'a byte-order mark': '\uFEFFA=1\nB=2\n',
    'keys with digits and underscores': '_A=1\nA_1=2\nabc=3\n',
  }

  for (const [what, text] of Object.entries(files)) {
    it(`reads what dotenv reads: ${what}`, () => {
      const ours = parseDotenv(text, '.env.production')
      expect(Object.fromEntries(ours)).to.deep.equal(parse(text))
      expect(ours.map(([key]) => key)).to.deep.equal(Object.keys(parse(text)))
    })
  }

  describe('refuses, naming the file and the line, what dotenv would silently skip or garble', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['a line without =', 'A=1\nnot a variable\n', /^\.env\.production line 2: is neither KEY=value nor a comment\.$/],
      ['KEY: value', 'A: 1\n', /line 1: is neither KEY=value/],
      ['a key dotenv takes but no environment can hold', 'A=1\nMY-VAR=x\n', /^\.env\.production line 2: "MY-VAR" is not an environment variable name \(letters, digits and _, not starting with a digit\)\.$/],
      ['a key with a dot', 'my.var=1\n', /line 1: "my\.var" is not an environment variable name/],
      ['a key starting with a digit', '1A=1\n', /line 1: "1A" is not/],
      ['no key', '=value\n', /line 1: "" is not an environment variable name/],
      ['an unclosed quote', 'A=1\nB="abc\nC=3\n', /^\.env\.production line 2: the value opened with " is never closed\.$/],
      ["an unclosed '", "A='abc\n", /line 1: the value opened with ' is never closed/],
      ['text after the closing quote', 'A="abc"def\n', /line 1: there is text after the closing " of the value of A\./],
      ['text after a multi-line value', 'A="abc\nd" e\n', /line 2: there is text after the closing "/],
      ['an escaped quote (dotenv keeps the backslash)', 'A="say \\"hi\\""\n', /line 1: the value has \\" in it/],
      ['# inside an unquoted value', 'PASSWORD=abc#def\n', /line 1: the value of PASSWORD has a # where dotenv would cut it .*: put the value in quotes\./],
      ['# right after =', 'A=#abc\n', /line 1: the value of A has a #/],
      ['a key set twice', 'A=1\nB=2\nA=3\n', /^\.env\.production line 3: A is set again \(it was set on line 1\)\.$/],
      ['a NUL byte', 'A=1\nB=a\0b\n', /line 2: has a NUL byte/],
      ['a NUL byte in a multi-line value', 'A="x\ny\0"\n', /line 2: has a NUL byte/],
    ]
    for (const [what, text, message] of cases) it(what, () => expect(refusal(text)).to.match(message))

    it('counts lines as an editor does, CRLF or not, multi-line values included', () => {
      expect(refusal('A="x\r\ny"\r\n\r\nbad line\r\n')).to.match(/line 4:/)
    })
  })

  describe("gatling's own variables", () => {
    it('refuses each one, naming it and saying why', () => {
      for (const key of ['PORT', 'HOME', 'LANG', 'ELIXIR_ERL_OPTIONS', 'ERL_AFLAGS', 'ERL_FLAGS', 'ERL_ZFLAGS', 'LD_PRELOAD', 'PATH', 'RELEASE_COOKIE', 'RELEASE_NODE', 'RELEASE_DISTRIBUTION', 'RELEASE_ANYTHING']) {
        expect(refusal(`OK=1\n${key}=x\n`), key).to.match(new RegExp(`^\\.env\\.production line 2: ${key} is set by gatling itself for every instance of the app \\(.*\\): remove it\\.$`))
      }
      expect(refusal('export PORT=4000\n')).to.match(/line 1: PORT is set by gatling/)
    })

    it('takes names that only look like them', () => {
      expect(parseDotenv('PORTAL=1\nMY_PORT=2\nRELEASE=3\nport=4\n', 'f')).to.deep.equal([['PORTAL', '1'], ['MY_PORT', '2'], ['RELEASE', '3'], ['port', '4']])
    })
  })

  it('never puts a value in a message', () => {
    for (const text of ['SECRET="hunter2\n', 'SECRET=hunter2#x\n', 'SECRET="hunter2"x\n', 'SECRET=hunter2\nSECRET=hunter2\n']) expect(refusal(text)).to.not.include('hunter2')
  })
})
