// CSV as spreadsheets read it (RFC 4180): a field with a comma, quote or line break is quoted, quotes doubled.

/** One field: empty for null/undefined, numbers and strings as they are, anything else as JSON. */
export function csvField(value: unknown): string {
  const text = value === undefined || value === null ? '' : typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A header line and one line per row, newline-terminated. */
export function csvText(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return `${[header, ...rows].map((r) => r.map(csvField).join(',')).join('\n')}\n`;
}
