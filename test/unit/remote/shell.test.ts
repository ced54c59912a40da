import {expect} from 'chai'
import {execFileSync} from 'node:child_process'

import {and, cmd, group, or, pipe, quote, raw, sh, shellVar, subshell} from '../../../src/remote/shell.js'

/** What /bin/sh sees as the arguments: printf prints each on its own NUL-terminated record. */
function argsSeenByShell(line: string, env: Record<string, string> = {}): string[] {
  const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${line}`], {encoding: 'utf8', env: {PATH: process.env.PATH, ...env}})
  return out.split('\0').slice(0, -1)
}

describe('remote/shell', () => {
  describe('quote', () => {
    it('leaves safe words bare', () => {
      for (const word of ['mkdir', '-p', '/srv/gatling/app', 'MIX_ENV=prod', 'user@host', 'a,b:c', '0755', '100%', 'x+y']) expect(quote(word)).to.equal(word)
    })

    it('single-quotes anything else, including the empty string', () => {
      expect(quote('')).to.equal("''")
      expect(quote('a b')).to.equal("'a b'")
      expect(quote('$HOME')).to.equal("'$HOME'")
      expect(quote('~')).to.equal("'~'")
      expect(quote('*')).to.equal("'*'")
    })

    it("escapes a single quote as '\\''", () => {
      expect(quote("it's")).to.equal(`'it'\\''s'`)
    })

    it('renders numbers as their decimal text', () => {
      expect(quote(4000)).to.equal('4000')
      expect(quote(-1)).to.equal('-1')
    })

    it('expands a ShellVar on the server, in double quotes', () => {
      expect(quote(shellVar('REV'))).to.equal('"$REV"')
      expect(argsSeenByShell(sh(shellVar('REV'), 'x'), {REV: 'a b $c'})).to.deep.equal(['a b $c', 'x'])
    })

    it('passes RawShell through untouched', () => {
      expect(quote(raw('"$(cat /x)"'))).to.equal('"$(cat /x)"')
      expect(sh('echo', raw('>'), '/dev/null')).to.equal('echo > /dev/null')
    })
  })

  describe('shellVar', () => {
    it('accepts upper-case shell names', () => {
      expect(shellVar('GATLING_OBJECTS').name).to.equal('GATLING_OBJECTS')
      expect(shellVar('_X1').name).to.equal('_X1')
    })

    it('refuses names that could inject shell text', () => {
      for (const bad of ['rev', 'REV;rm', 'A B', '1ABC', '', 'A-B', 'X}', '$(id)']) expect(() => shellVar(bad), bad).to.throw(/bad shell variable name/)
    })
  })

  describe('sh round-trips through /bin/sh', () => {
    it("sh('a b', \"it's\", '$HOME') gives back exactly those three arguments", () => {
      const args = ['a b', "it's", '$HOME']
      expect(argsSeenByShell(sh(...args), {HOME: '/should/not/expand'})).to.deep.equal(args)
    })

    it('survives hostile strings: quotes, $(), backticks, newlines, semicolons, globs', () => {
      const hostile = [
        "'", '"', "''", `"'"'"`, '\\', '\\\'', '$(touch /tmp/gatling-pwned)', '`id`', '${HOME}', '$HOME$PATH',
        'a\nb', '\n', 'line1\nline2\n', 'x; rm -rf /', 'a && b || c', 'a | b', '> /tmp/out', '< /etc/passwd',
        '*', '?', '[a-z]', '~', '~root', '#comment', '-n', '-e', '--', ' leading', 'trailing ', '\t', '',
        'é ü 漢字 🚀', '!', '!!', '%s%s%n', 'a=b', 'IFS=x', '{a,b}', '(subshell)', '&', "it's \"quoted\" `and` $(more)",
      ]
      expect(argsSeenByShell(sh(...hostile))).to.deep.equal(hostile)
    })

    it('refuses a NUL byte or a lone surrogate (the server would cut or change the command line)', () => {
      for (const bad of ['a\0b', '\0', 'a\uD800b', '\uDC00']) expect(() => sh('echo', bad), JSON.stringify(bad)).to.throw(/cannot hold a NUL byte or a lone surrogate/)
      expect(sh('🚀')).to.equal("'🚀'")
    })

    it('keeps the argument count: an empty argument is not dropped', () => {
      expect(argsSeenByShell(sh('', 'x', ''))).to.deep.equal(['', 'x', ''])
    })

    it('subshell() runs a composite script as one argument', () => {
      const script = and(sh('printf', '%s\\n', "it's"), sh('printf', '%s\\n', '$(x)'))
      const out = execFileSync('/bin/sh', ['-c', subshell(script)], {encoding: 'utf8'})
      expect(out).to.equal("it's\n$(x)\n")
      expect(subshell('true && false')).to.equal("sh -c 'true && false'")
    })
  })

  describe('combinators', () => {
    it('and / or / pipe / group join scripts with the right operator', () => {
      expect(and('a', 'b', 'c')).to.equal('a && b && c')
      expect(or('a', 'b')).to.equal('a || b')
      expect(pipe('a', 'b')).to.equal('a | b')
      expect(group('a && b')).to.equal('{ a && b; }')
    })

    it('behave as their shell meaning', () => {
      const run = (script: string) => execFileSync('/bin/sh', ['-c', script], {encoding: 'utf8'})
      expect(run(or(and('false', 'echo no'), 'echo yes'))).to.equal('yes\n')
      expect(run(pipe(sh('printf', 'b\\na\\n'), 'sort'))).to.equal('a\nb\n')
      expect(run(`${group(and('echo 1', 'echo 2'))} | wc -l`).trim()).to.equal('2')
    })

    it('cmd() carries the options', () => {
      expect(cmd('true')).to.deep.equal({script: 'true'})
      expect(cmd('cat', {sudo: true, input: 'x', secretInput: true})).to.deep.equal({script: 'cat', sudo: true, input: 'x', secretInput: true})
    })
  })
})
