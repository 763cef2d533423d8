import { Chalk, type ChalkInstance } from 'chalk'

/**
 * The colours of human output. Renderers receive `color` from the command and never
 * look at the terminal themselves; basic ANSI colours are enough and keep output stable.
 */
export function palette(color: boolean): ChalkInstance {
  return new Chalk({ level: color ? 1 : 0 })
}
