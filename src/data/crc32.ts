/** CRC-32 with the zip/PNG/gzip polynomial (0xEDB88320), table-driven, slicing by 4. */

const TABLES = (() => {
  const t = new Uint32Array(256 * 4);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 4; k++) t[k * 256 + n] = (t[(k - 1) * 256 + n] >>> 8) ^ t[t[(k - 1) * 256 + n] & 0xff];
  }
  return t;
})();

/** Continues a CRC-32 over more bytes: pass the previous result (0 to start). */
export function updateCrc32(crc: number, bytes: Uint8Array): number {
  let c = ~crc >>> 0;
  let i = 0;
  const end4 = bytes.length - (bytes.length % 4);
  for (; i < end4; i += 4) {
    c ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    c = TABLES[768 + (c & 0xff)] ^ TABLES[512 + ((c >>> 8) & 0xff)] ^ TABLES[256 + ((c >>> 16) & 0xff)] ^ TABLES[c >>> 24];
  }
  for (; i < bytes.length; i++) c = TABLES[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-32 of the given bytes. */
export function crc32(bytes: Uint8Array): number {
  return updateCrc32(0, bytes);
}
