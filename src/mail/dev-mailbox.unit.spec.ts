import { describe, expect, it } from 'vitest';
import { DevMailbox } from './dev-mailbox.js';

describe('DevMailbox', () => {
  it('keeps messages newest first with the time of its clock, filtered by recipient regardless of case', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const box = new DevMailbox(() => now);
    await box.send({ to: 'Alice@Example.com', subject: 'one', text: '1' });
    now = new Date('2026-01-01T00:01:00Z');
    await box.send({ to: 'bob@example.com', subject: 'two', text: '2' });
    expect(box.messages().map((message) => message.subject)).toEqual(['two', 'one']);
    expect(box.messages('alice@example.com')).toEqual([
      { to: 'Alice@Example.com', subject: 'one', text: '1', sentAt: new Date('2026-01-01T00:00:00Z') },
    ]);
    expect(box.messages('carol@example.com')).toEqual([]);
  });

  it('drops the oldest messages past its capacity, so a long session cannot grow without bound', async () => {
    const box = new DevMailbox();
    for (let i = 0; i < 205; i += 1) await box.send({ to: 'a@example.com', subject: `m${i}`, text: '' });
    const kept = box.messages();
    expect(kept).toHaveLength(200);
    expect(kept[0]?.subject).toBe('m204');
    expect(kept.at(-1)?.subject).toBe('m5');
  });
});
