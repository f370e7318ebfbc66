import path from 'node:path';
import type { FsPort } from './fsPort';
import { corruptDir, parseGenerations, journalName, snapshotName } from './storeFiles';

/** What the store occupies on disk, for the size report in the UI. */
export interface SizeReport {
  snapshotBytes: number;
  journalBytes: number;
  blobBytes: number;
  corruptBytes: number;
  totalBytes: number;
}

export async function sizeReport(fs: FsPort, dir: string): Promise<SizeReport> {
  const { snapshots, journals } = parseGenerations(await fs.readdir(dir));
  const sum = async (files: string[]) => {
    let total = 0;
    for (const file of files) {
      total += (await fs.size(file)) ?? 0;
    }
    return total;
  };
  const inFolder = async (folder: string) => (await fs.readdir(folder)).map((name) => path.join(folder, name));
  const snapshotBytes = await sum(snapshots.map((g) => path.join(dir, snapshotName(g))));
  const journalBytes = await sum(journals.map((g) => path.join(dir, journalName(g))));
  const blobBytes = await sum(await listFilesDeep(fs, path.join(dir, 'blobs')));
  const corruptBytes = await sum(await inFolder(corruptDir(dir)));
  return { snapshotBytes, journalBytes, blobBytes, corruptBytes, totalBytes: snapshotBytes + journalBytes + blobBytes + corruptBytes };
}

/** Every file below `folder` (blobs are kept in two-character fan-out folders: blobs/ab/abcdef...). */
async function listFilesDeep(fs: FsPort, folder: string): Promise<string[]> {
  const files: string[] = [];
  for (const name of await fs.readdir(folder)) {
    const full = path.join(folder, name);
    try {
      files.push(...(await listFilesDeep(fs, full)));
    } catch {
      files.push(full); // ENOTDIR: a file
    }
  }
  return files;
}
