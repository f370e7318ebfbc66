import { nodeFs, type FileHandlePort, type FsPort } from '../../src/db/fsPort';

/**
 * Node's real fs with injectable failures: `failNext('sync', 'ENOSPC')` makes the next fsync fail the way the
 * kernel reports a full disk. A failing write first writes half its bytes, as a real short write on a full disk
 * does, so the test sees the torn record the store must clean up.
 */
export type FaultOp = 'write' | 'sync' | 'truncate' | 'rename' | 'open' | 'syncDir';

export class FaultyFs implements FsPort {
  private readonly faults: { op: FaultOp; code: string; remaining: number; match?: RegExp }[] = [];

  failNext(op: FaultOp, code: string, options: { times?: number; match?: RegExp } = {}): void {
    this.faults.push({ op, code, remaining: options.times ?? 1, ...(options.match ? { match: options.match } : {}) });
  }

  clear(): void {
    this.faults.length = 0;
  }

  private check(op: FaultOp, file: string): void {
    const fault = this.faults.find((f) => f.op === op && f.remaining > 0 && (!f.match || f.match.test(file)));
    if (fault) {
      fault.remaining -= 1;
      const error = new Error(`${fault.code}: injected failure, ${op} '${file}'`) as NodeJS.ErrnoException;
      error.code = fault.code;
      throw error;
    }
  }

  readFile = (file: string) => nodeFs.readFile(file);
  readRange = (file: string, position: number, length: number) => nodeFs.readRange(file, position, length);
  readdir = (dir: string) => nodeFs.readdir(dir);
  mkdir = (dir: string) => nodeFs.mkdir(dir);
  unlink = (file: string) => nodeFs.unlink(file);
  size = (file: string) => nodeFs.size(file);
  modifiedAt = (file: string) => nodeFs.modifiedAt(file);

  rename = async (from: string, to: string) => {
    this.check('rename', to);
    await nodeFs.rename(from, to);
  };

  syncDir = async (dir: string) => {
    this.check('syncDir', dir);
    await nodeFs.syncDir(dir);
  };

  open = async (file: string, mode: 'existing' | 'new'): Promise<FileHandlePort> => {
    this.check('open', file);
    const handle = await nodeFs.open(file, mode);
    return {
      write: async (data, position) => {
        try {
          this.check('write', file);
        } catch (err) {
          await handle.write(data.subarray(0, Math.floor(data.length / 2)), position);
          throw err;
        }
        await handle.write(data, position);
      },
      sync: async () => {
        this.check('sync', file);
        await handle.sync();
      },
      truncate: async (length) => {
        this.check('truncate', file);
        await handle.truncate(length);
      },
      size: () => handle.size(),
      close: () => handle.close(),
    };
  };
}
