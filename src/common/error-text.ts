/**
 * The text of a caught value, for a user: an Error's message (its name when the message
 * is empty), the `message` of an error-like object, otherwise the value as a string.
 * Never throws, whatever was thrown.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name
  if (typeof error === 'object' && error !== null) {
    const message = (error as { message?: unknown }).message
    if (typeof message === 'string' && message !== '') return message
  }
  try {
    return String(error)
  } catch {
    // An object without a prototype has no toString.
    return Object.prototype.toString.call(error)
  }
}
