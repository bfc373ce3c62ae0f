import { BatchWriter } from './batchWriter';

/** A write that finishes when the test says so. */
function controlledWrites() {
  const written: number[][] = [];
  const pending: { rows: number[]; finish: () => void; fail: (err: Error) => void }[] = [];
  const write = (rows: number[]) => new Promise<void>((resolve, reject) => {
    pending.push({ rows, finish: () => { written.push(rows); resolve(); }, fail: reject });
  });
  return { written, pending, write };
}

describe('BatchWriter', () => {
  it('writes full batches in order and the rest at the end', async () => {
    const written: number[][] = [];
    const writer = new BatchWriter<number>({ size: 3, write: async (rows) => { written.push(rows); } });
    for (let i = 1; i <= 7; i++) await writer.add(i);
    await writer.end();
    expect(written).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('does not write an empty batch', async () => {
    const write = jest.fn(async () => undefined);
    const writer = new BatchWriter<number>({ size: 2, write });
    await writer.add(1);
    await writer.add(2);
    await writer.end();
    expect(write).toHaveBeenCalledTimes(1);
  });

  it('collects the next batch while one is written, and starts a write only after the last ended', async () => {
    const { written, pending, write } = controlledWrites();
    const writer = new BatchWriter<number>({ size: 2, write });
    await writer.add(1);
    await writer.add(2); // first batch handed over
    expect(pending.map((p) => p.rows)).toEqual([[1, 2]]);
    await writer.add(3);
    let added = false;
    const adding = writer.add(4).then(() => { added = true; }); // second batch waits for the first write
    await new Promise((r) => setImmediate(r));
    expect(added).toBe(false);
    expect(pending).toHaveLength(1);
    pending[0]!.finish();
    await adding;
    expect(pending.map((p) => p.rows)).toEqual([[1, 2], [3, 4]]);
    pending[1]!.finish();
    await writer.end();
    expect(written).toEqual([[1, 2], [3, 4]]);
  });

  it('fails the next add or the end with a write\'s error, and settle() ignores it', async () => {
    const { pending, write } = controlledWrites();
    const writer = new BatchWriter<number>({ size: 1, write });
    await writer.add(1);
    pending[0]!.fail(new Error('database down'));
    await expect(writer.add(2)).rejects.toThrow('database down');
    await expect(writer.end()).rejects.toThrow('database down');
    await expect(writer.settle()).resolves.toBeUndefined();
  });

  it('counts rows by their weight', async () => {
    const written: number[][] = [];
    const writer = new BatchWriter<number>({ size: 4, weight: (n) => Math.max(1, n), write: async (rows) => { written.push(rows); } });
    for (const n of [0, 3, 1, 1, 5, 0]) await writer.add(n);
    await writer.end();
    expect(written).toEqual([[0, 3], [1, 1, 5], [0]]);
  });

  it('lets a row replace the row of the same key in its batch, in its place', async () => {
    const written: string[][] = [];
    const writer = new BatchWriter<string, string>({ size: 3, key: (s) => s[0]!, write: async (rows) => { written.push(rows); } });
    expect(await writer.add('a1')).toBeUndefined();
    expect(await writer.add('b1')).toBeUndefined();
    expect(await writer.add('a2')).toBe('a1');
    expect(await writer.add('c1')).toBeUndefined(); // the batch is full now: a, b, c
    expect(await writer.add('a3')).toBeUndefined(); // another batch
    await writer.end();
    expect(written).toEqual([['a2', 'b1', 'c1'], ['a3']]);
  });

  it('refuses a batch size that is not a positive integer', () => {
    expect(() => new BatchWriter<number>({ size: 0, write: async () => undefined })).toThrow(RangeError);
    expect(() => new BatchWriter<number>({ size: 1.5, write: async () => undefined })).toThrow(RangeError);
  });
});
