import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';

/**
 * The file operations the store performs, as a port: production uses Node's fs, the fault tests wrap it to
 * inject ENOSPC, EACCES, EPERM and failing renames at exactly the step they want to break.
 */
export interface FileHandlePort {
  write(data: Uint8Array, position: number): Promise<void>;
  /** fdatasync: the data is on disk when this resolves. */
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

export interface FsPort {
  readFile(file: string): Promise<Uint8Array>;
  /** Up to `length` bytes from `position`; fewer at the end of the file. */
  readRange(file: string, position: number, length: number): Promise<Uint8Array>;
  /** Missing folder reads as empty. */
  readdir(dir: string): Promise<string[]>;
  mkdir(dir: string): Promise<void>;
  /** 'existing' opens for reading and writing; 'new' creates the file and fails if it exists. */
  open(file: string, mode: 'existing' | 'new'): Promise<FileHandlePort>;
  rename(from: string, to: string): Promise<void>;
  unlink(file: string): Promise<void>;
  /** Makes a rename or a new file in `dir` itself durable. */
  syncDir(dir: string): Promise<void>;
  /** Size in bytes, or undefined when the file does not exist. */
  size(file: string): Promise<number | undefined>;
  /** Last modification time (epoch ms), or undefined when the file does not exist. */
  modifiedAt(file: string): Promise<number | undefined>;
}

export const nodeFs: FsPort = {
  readFile: (file) => fs.readFile(file),
  readRange: async (file, position, length) => {
    const handle = await fs.open(file, constants.O_RDONLY);
    try {
      const buffer = Buffer.allocUnsafe(length);
      let read = 0;
      while (read < length) {
        const { bytesRead } = await handle.read(buffer, read, length - read, position + read);
        if (bytesRead === 0) {
          break;
        }
        read += bytesRead;
      }
      return buffer.subarray(0, read);
    } finally {
      await handle.close();
    }
  },
  readdir: async (dir) => {
    try {
      return await fs.readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return [];
      }
      throw err;
    }
  },
  mkdir: async (dir) => {
    await fs.mkdir(dir, { recursive: true });
  },
  open: async (file, mode) => {
    const handle = await fs.open(file, mode === 'new' ? constants.O_RDWR | constants.O_CREAT | constants.O_EXCL : constants.O_RDWR);
    return {
      write: async (data, position) => {
        let written = 0;
        while (written < data.length) {
          const { bytesWritten } = await handle.write(data, written, data.length - written, position + written);
          written += bytesWritten;
        }
      },
      sync: () => handle.datasync(),
      truncate: (length) => handle.truncate(length),
      size: async () => (await handle.stat()).size,
      close: () => handle.close(),
    };
  },
  rename: (from, to) => fs.rename(from, to),
  unlink: (file) => fs.unlink(file),
  syncDir: async (dir) => {
    const handle = await fs.open(dir, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  size: async (file) => (await statOrUndefined(file))?.size,
  modifiedAt: async (file) => (await statOrUndefined(file))?.mtimeMs,
};

async function statOrUndefined(file: string) {
  try {
    return await fs.stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw err;
  }
}
