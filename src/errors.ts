/** An expected failure: printed as one paragraph, without a stack trace unless --verbose. */
export class GatlingError extends Error {
  constructor(message: string, readonly details: {step?: string; host?: string; command?: string; output?: string[]; exitCode?: number} = {}) {
    super(message)
    this.name = 'GatlingError'
  }
}
