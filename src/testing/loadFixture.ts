/** Loads fixture archives in Node tests with the Node decoder, and catches the DatasetError of broken ones. */

import { decodeImageNode } from '../data/decodeNode';
import { DatasetError } from '../data/errors';
import { loadArchiveDataset, type LoadArchiveOptions, type LoadedDataset } from '../data/load';

export type FixtureLoadOptions = Partial<LoadArchiveOptions>;

/** Loads `bytes` as the archive `fileName` (default "fixture.zip"), seed 1. */
export function loadFixture(bytes: Uint8Array, opts: FixtureLoadOptions = {}): Promise<LoadedDataset> {
  return loadArchiveDataset(bytes, { fileName: 'fixture.zip', seed: 1, decoder: decodeImageNode, ...opts });
}

/** The DatasetError that loading `bytes` throws; fails if it loads or throws anything else. */
export async function loadError(bytes: Uint8Array, opts: FixtureLoadOptions = {}): Promise<DatasetError> {
  try {
    await loadFixture(bytes, opts);
  } catch (e) {
    if (e instanceof DatasetError) return e;
    throw e;
  }
  throw new Error('expected the archive to fail with a DatasetError, but it loaded');
}
