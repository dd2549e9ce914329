/** Many rows as few bound values: JSON arrays that a statement reads with `json_each`. */

/** A bound value may be up to 2 MB: JSON arrays are cut well below that. */
const MAX_JSON_CHARS = 512 * 1024;

/** The values as JSON arrays of at most MAX_JSON_CHARS each (a single larger value gets an array of its own). */
export function jsonChunks(values: unknown[]): string[] {
  if (values.length === 0) return [];
  // Nearly always one array is enough: one stringify.
  const whole = JSON.stringify(values);
  if (whole.length <= MAX_JSON_CHARS) return [whole];
  const chunks: string[] = [];
  let parts: string[] = [];
  let size = 2;
  for (const value of values) {
    const text = JSON.stringify(value);
    if (parts.length > 0 && size + text.length + 1 > MAX_JSON_CHARS) {
      chunks.push(`[${parts.join(",")}]`);
      parts = [];
      size = 2;
    }
    parts.push(text);
    size += text.length + 1;
  }
  if (parts.length > 0) chunks.push(`[${parts.join(",")}]`);
  return chunks;
}
