// The app's journal as gatling-root logs APP all prints it (journalctl -o json, one entry a line), made readable.

export interface JournalEntry {
  /** ISO 8601, UTC, with milliseconds */
  time: string
  /** APP@PORT.service: which instance (systemd's own lines about the unit name it in UNIT) */
  unit: string
  pid: number | null
  message: string
}

/** journalctl gives a MESSAGE that is not valid UTF-8 as an array of bytes. */
const text = (value: unknown): string => (Array.isArray(value) ? Buffer.from(value as number[]).toString('utf8') : typeof value === 'string' ? value : '')

export function parseJournalLine(line: string): JournalEntry | undefined {
  if (!line.trim()) return undefined
  let entry: Record<string, unknown>
  try {
    entry = JSON.parse(line) as Record<string, unknown>
  } catch {
    return {time: '', unit: '', pid: null, message: line}
  }
  const micros = Number(text(entry.__REALTIME_TIMESTAMP))
  return {
    time: Number.isFinite(micros) && micros > 0 ? new Date(Math.floor(micros / 1000)).toISOString() : '',
    unit: text(entry.UNIT) || text(entry._SYSTEMD_UNIT),
    pid: /^[0-9]+$/.test(text(entry._PID)) ? Number(text(entry._PID)) : null,
    message: text(entry.MESSAGE),
  }
}

/** "2026-12-01T15:00:01.123Z hello@4000: message" */
export const formatJournalEntry = (e: JournalEntry): string => `${e.time}${e.unit ? ` ${e.unit.replace(/\.service$/, '')}` : ''}: ${e.message}`

