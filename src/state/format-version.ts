import { UserError } from '../errors.js'
import { STATE_FORMAT_VERSION } from './model.js'

/**
 * Checks the `formatVersion` of a snapshot or journal line. Returns a problem for a
 * value that is not a format at all; throws for a format newer than this bf reads.
 */
export function checkFormatVersion(value: unknown, where: string): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) return 'missing or invalid "formatVersion"'
  if (value > STATE_FORMAT_VERSION) throw new UserError(`${where}: state written by a newer bf (format ${value}); upgrade bf`)
  return undefined
}
