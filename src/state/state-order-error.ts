/**
 * A state read a customer at a time turned out, part way through, not to hold each
 * customer's steps together (a snapshot edited by hand). The groups handed out so far
 * may be incomplete: the reader starts over from a whole read.
 */
export class StateOrderError extends Error {
  constructor(problem: string) {
    super(`the state cannot be read a customer at a time: ${problem}`)
    this.name = 'StateOrderError'
  }
}
