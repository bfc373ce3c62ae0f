// Collects an import's rows and hands them to the importer's `write` in batches. The importer's
// function decides what a batch is in the database (one transaction per batch, or statements in
// the one transaction of its import); this module decides when.
//
// The next batch is collected while the last one is being written: reading is several times
// faster than writing, so an import runs at the speed of the database. Writes stay in file
// order, one at a time, so at most two batches are in memory.

export interface BatchWriterOptions<T, K> {
  /** A batch is written when the weights of its rows reach this. */
  size: number;
  write: (rows: T[]) => Promise<void>;
  /** Default 1. A row that costs several rows in the database (its issues, say) weighs more. */
  weight?: (row: T) => number;
  /**
   * Rows with the same key in one batch: the later takes the place of the earlier (one statement
   * cannot change a row twice). Rows of different batches are not compared.
   */
  key?: (row: T) => K;
}

export class BatchWriter<T, K = unknown> {
  private rows: T[] = [];
  private weights: number[] = [];
  private weight = 0;
  private readonly indexOf = new Map<K, number>();
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly options: BatchWriterOptions<T, K>) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new RangeError(`batch size must be a positive integer, got ${options.size}`);
  }

  /**
   * Adds a row, and returns the row of this batch it replaced (same key), if any. When the batch
   * is full, waits for the previous write and starts this one. Rejects when an earlier write failed.
   */
  async add(row: T): Promise<T | undefined> {
    const weight = this.options.weight?.(row) ?? 1;
    const key = this.options.key?.(row);
    const at = key === undefined ? undefined : this.indexOf.get(key);
    let replaced: T | undefined;
    if (at !== undefined) {
      replaced = this.rows[at];
      this.weight -= this.weights[at]!;
      this.rows[at] = row;
      this.weights[at] = weight;
    } else {
      if (key !== undefined) this.indexOf.set(key, this.rows.length);
      this.rows.push(row);
      this.weights.push(weight);
    }
    this.weight += weight;
    if (this.weight >= this.options.size) await this.flush();
    return replaced;
  }

  /** Writes the rows left and waits for every write; rejects with a write's failure. */
  async end(): Promise<void> {
    if (this.rows.length > 0) await this.flush();
    await this.writing;
  }

  /** Waits for the write under way, ignoring its failure: no write goes on after a failed import. */
  async settle(): Promise<void> {
    await this.writing.catch(() => undefined);
  }

  private async flush(): Promise<void> {
    const rows = this.rows;
    this.rows = [];
    this.weights = [];
    this.weight = 0;
    this.indexOf.clear();
    await this.writing;
    this.writing = this.options.write(rows);
    this.writing.catch(() => undefined); // awaited by the next flush or by end(): not unhandled meanwhile
  }
}
