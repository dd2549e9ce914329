/**
 * A byte stream into one R2 object without holding it in memory: in parts of `partBytes` (R2 wants every part but
 * the last the same size, 5 MiB at least) through a multipart upload; a stream shorter than one part is put whole.
 * A stream that fails aborts the upload, and nothing is kept under the key.
 */

/** The parts of an archive: 8 MiB, so a 1 GB day is 120 parts (R2 allows 10,000). */
export const PART_BYTES = 8 * 1024 * 1024;

/** Gathers a stream's chunks into parts of exactly `partBytes` (the last may be shorter). */
export async function* equalParts(stream: ReadableStream<Uint8Array>, partBytes: number): AsyncGenerator<Uint8Array> {
  let part = new Uint8Array(partBytes);
  let filled = 0;
  for await (const chunk of stream) {
    for (let at = 0; at < chunk.length; ) {
      const taken = Math.min(partBytes - filled, chunk.length - at);
      part.set(chunk.subarray(at, at + taken), filled);
      filled += taken;
      at += taken;
      if (filled === partBytes) {
        yield part;
        part = new Uint8Array(partBytes);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield part.subarray(0, filled);
}

export async function putInParts(bucket: R2Bucket, key: string, stream: ReadableStream<Uint8Array>, options: R2MultipartOptions, partBytes = PART_BYTES): Promise<void> {
  const parts = equalParts(stream, partBytes);
  try {
    await putParts(bucket, key, parts, options);
  } finally {
    // A failed upload stops reading the stream (its writer, waiting to write more, is told).
    await parts.return(undefined);
  }
}

async function putParts(bucket: R2Bucket, key: string, parts: AsyncGenerator<Uint8Array>, options: R2MultipartOptions): Promise<void> {
  const first = await parts.next();
  const second = first.done ? first : await parts.next();
  if (second.done) {
    await bucket.put(key, first.done ? new Uint8Array(0) : first.value, options);
    return;
  }
  const upload = await bucket.createMultipartUpload(key, options);
  try {
    const uploaded = [await upload.uploadPart(1, first.value as Uint8Array), await upload.uploadPart(2, second.value)];
    for await (const part of parts) uploaded.push(await upload.uploadPart(uploaded.length + 1, part));
    await upload.complete(uploaded);
  } catch (error) {
    await upload.abort().catch(() => undefined);
    throw error;
  }
}
