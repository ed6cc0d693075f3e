// Where media bytes live. One small interface so a deployment can swap the local disk
// for an object store (./s3Store.ts); Baton itself only ever puts, gets and deletes by key.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';

export interface MediaStore {
  put(key: string, bytes: Buffer): Promise<void>;
  /** undefined when nothing is stored under the key. */
  get(key: string): Promise<Buffer | undefined>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
}

/** The default: files under BATON_DATA_DIR/media. Keys are Baton's own (uuids), never customer input. */
export class LocalDiskStore implements MediaStore {
  readonly #root: string;
  constructor(root: string) {
    this.#root = resolve(root);
  }

  #path(key: string): string {
    const path = resolve(join(this.#root, key));
    if (!path.startsWith(this.#root + sep)) throw new Error('media key escapes the store');
    return path;
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const path = this.#path(key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.#path(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.#path(key), { force: true });
  }
}

/** Where a file is kept: under its conversation, so a store can be browsed (or erased) per conversation. */
export const mediaKey = (conversationId: string, fileId: string) => `${conversationId}/${fileId}`;
