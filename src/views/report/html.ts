const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Text made safe for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char)
}

/** `12,345` */
export const formatCount = (value: number): string => value.toLocaleString('en-US')

/** `2026-01-15 06:30:12 UTC` */
export function formatTime(iso: string): string {
  const time = Date.parse(iso)
  return Number.isFinite(time) ? `${new Date(time).toISOString().slice(0, 19).replace('T', ' ')} UTC` : iso
}
