import { recordingName, wavLayout } from './callRecording';

describe('recordingName', () => {
  it('is derived from the attempt key alone, the same every time, with no part of the workflow id in clear', () => {
    const name = recordingName('contact/debts-2026/ERP-4412-ИВАНОВ', 3);
    expect(name).toBe(recordingName('contact/debts-2026/ERP-4412-ИВАНОВ', 3));
    expect(name).toMatch(/^call-[0-9a-f]{32}-3$/);
    expect(name).not.toContain('4412');
    expect(recordingName('contact/debts-2026/ERP-4412-ИВАНОВ', 4)).not.toBe(name);
    expect(recordingName('contact/debts-2026/ERP-4413-ИВАНОВ', 3)).not.toBe(name);
  });
});

describe('wavLayout', () => {
  /** A PCM WAV header as Asterisk's wav format writes it: RIFF, fmt (16 bytes), data. */
  const header = (byteRate: number, extra = Buffer.alloc(0)): Buffer => {
    const fmt = Buffer.alloc(24);
    fmt.write('fmt ', 0, 'ascii');
    fmt.writeUInt32LE(16, 4);
    fmt.writeUInt16LE(1, 8);
    fmt.writeUInt16LE(1, 10);
    fmt.writeUInt32LE(8000, 12);
    fmt.writeUInt32LE(byteRate, 16);
    const data = Buffer.from('data\0\0\0\0', 'binary');
    return Buffer.concat([Buffer.from('RIFF\0\0\0\0WAVE', 'binary'), fmt, extra, data]);
  };

  it('finds where the samples begin and the byte rate', () => {
    expect(wavLayout(header(16000))).toEqual({ dataOffset: 44, byteRate: 16000 });
  });

  it('skips chunks it does not know', () => {
    const list = Buffer.concat([Buffer.from('LIST', 'ascii'), Buffer.from([4, 0, 0, 0]), Buffer.from('INFO', 'ascii')]);
    expect(wavLayout(header(16000, list))).toEqual({ dataOffset: 56, byteRate: 16000 });
  });

  it('says null for what is not a WAV', () => {
    expect(wavLayout(Buffer.from('{"message":"Recording not found"}'))).toBeNull();
    expect(wavLayout(header(0))).toBeNull();
  });
});
