// A command's output as whole lines, however its chunks fall.
import {StringDecoder} from 'node:string_decoder'

/** Splits a stream's chunks into whole lines (a UTF-8 character cut between two chunks stays whole). */
export function lineSplitter(onLine: (line: string) => void): {push: (chunk: Buffer) => void; flush: () => void} {
  const decoder = new StringDecoder('utf8')
  let partial = ''
  return {
    push(chunk) {
      const lines = (partial + decoder.write(chunk)).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) onLine(line)
    },
    flush() {
      partial += decoder.end()
      if (partial) onLine(partial)
      partial = ''
    },
  }
}
